from dataclasses import dataclass

from flask import (
    abort,
    flash,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup

from portal.accounts.permissions import Permission, can, require
from portal.caching import few_members, fill_slot, kept_for_viewer, kept_page, kept_part, post_page
from portal.csrf import form_view
from portal.extensions import db, limiter
from portal.follows.controls import follow_control
from portal.forms import honeypot_filled, select_choices
from portal.ideas import bp
from portal.ideas.forms import BehalfForm, CommentForm, IdeaForm, MergeForm, StatusForm
from portal.ideas.models import Idea, IdeaComment
from portal.ideas.queries import (
    PER_PAGE,
    SORTS,
    TRENDING_DAYS,
    TRENDING_WEIGHT,
    board_ids,
    find_customer,
    get_idea,
    has_voted_or_follows,
    load_idea_page,
    load_ideas,
    may_see,
    merge_destination,
    roadmap_columns,
    status_filters,
    voted_idea_ids,
    voters_and_followers,
    withheld_comment_authors,
)
from portal.ideas.services import (
    add_comment,
    change_status,
    edit_idea,
    mark_official,
    merge_ideas,
    start_following,
    suggest_idea,
    toggle_vote,
    unfollow,
    vote_on_behalf,
)
from portal.ideas.statuses import grouped_choices, idea_look
from portal.markdown import editable_source, excerpt
from portal.moderation.screening import WAITS, posting_limit, screen
from portal.pagination import paginate_ids
from portal.search.queries import similar
from portal.taxonomy.services import all_areas, area_by_slug
from portal.writes import REFUSED, wants_json, write

POST_LIMIT = "20 per minute"
VOTE_LIMIT = "60 per minute"


def get_idea_or_404(idea_id: int) -> Idea:
    idea = get_idea(idea_id)
    if idea is None or not may_see(idea, current_user):
        abort(404)
    return idea


def _area_filter():
    slug = request.args.get("area", "")
    return area_by_slug(slug) if slug else None


# Reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardContent:
    """A page of the board apart from its layout, kept for a viewer class: what comes before
    the cards, each idea's card twice (as it shows to a viewer who has not voted for it, and
    to one who has), and what comes after (page links, or what to do when nothing matches)."""

    top: Markup
    cards: tuple[tuple[int, Markup, Markup], ...]  # idea id, card, card with the viewer's vote
    after: Markup


def _board_content(sort: str, status: str, area) -> BoardContent:
    page = paginate_ids(
        board_ids(sort=sort, status=status, area=area), load_ideas, per_page=PER_PAGE
    )
    body = get_template_attribute("ideas/_macros.html", "idea_card_body")

    def card(idea, voted: bool) -> Markup:
        widget = render_template("ideas/_vote_widget.html", idea=idea, voted=voted)
        return Markup('<li class="idea-card">{}{}</li>').format(Markup(widget), body(idea))

    filters = {"sort": sort, "status": status, "area": area}
    return BoardContent(
        Markup(
            render_template(
                "ideas/_board_top.html",
                total=page.total,
                areas=all_areas(),
                status_filters=status_filters(),
                trending_days=TRENDING_DAYS,
                trending_weight=TRENDING_WEIGHT,
                **filters,
            )
        ),
        tuple((idea.id, card(idea, False), card(idea, True)) for idea in page.items),
        Markup(render_template("ideas/_board_after.html", page=page, **filters)),
    )


@bp.get("/ideas")
@kept_page(Permission.VOTE, Permission.POST)
def board():
    sort = request.args.get("sort", "top")
    sort = sort if sort in SORTS else "top"
    status = request.args.get("status", "")
    status = status if status in status_filters() else ""
    area = _area_filter()
    content = kept_part(lambda: _board_content(sort, status, area))
    return render_template(
        "ideas/board.html",
        content=content,
        voted=kept_for_viewer(
            lambda: voted_idea_ids(current_user, [idea_id for idea_id, *_ in content.cards])
        ),
        area=area,
    )


@bp.get("/roadmap")
@kept_page()
def roadmap():
    area = _area_filter()
    content = kept_part(
        lambda: render_template(
            "ideas/_roadmap_page.html",
            columns=roadmap_columns(area),
            area=area,
            areas=all_areas(),
        )
    )
    return render_template("ideas/roadmap.html", content=Markup(content), area=area)


@dataclass(frozen=True)
class IdeaParts:
    """An idea page apart from its layout (see `post_page`)."""

    title: str
    description: str
    body: bytes  # UTF-8: kept for many viewers, in half the memory of the text
    idea_id: int
    author_id: int | None
    withheld_authors: frozenset[int]  # of comments only they and moderators see
    voters_and_followers: frozenset[int] | None  # kept for members; None: too many to keep


def _idea_parts(idea: Idea, **forms) -> IdeaParts:
    """The idea page's content, with any submitted form (and its errors) in place of a blank
    one."""
    forms.setdefault("comment_form", CommentForm(prefix="comment", formdata=None))
    forms.setdefault("status_form", StatusForm(prefix="status", formdata=None))
    forms.setdefault("merge_form", MergeForm(prefix="merge", formdata=None))
    forms.setdefault("behalf_form", BehalfForm(prefix="behalf", formdata=None))
    forms["status_form"].status.choices = _status_choices()
    if not forms["status_form"].status.data:
        forms["status_form"].status.data = idea_look(idea).value
    # For those who merge ideas: the ideas most like this one (similar items).
    merge_suggestions = (
        similar(idea.title, "idea", exclude=(("idea", idea.id),))
        if can(current_user, Permission.MANAGE_IDEAS, idea) and not idea.is_merged
        else []
    )
    body = render_template(
        "ideas/_idea_body.html",
        view=load_idea_page(idea, current_user),
        idea=idea,
        merge_suggestions=merge_suggestions,
        merged_from_id=request.args.get("merged_from", type=int),
        **forms,
    )
    return IdeaParts(
        title=idea.title,
        description=excerpt(idea.body_html) or idea.title,
        body=body.encode(),
        idea_id=idea.id,
        author_id=idea.author_id,
        withheld_authors=withheld_comment_authors(idea.id),
        voters_and_followers=few_members(*voters_and_followers(idea.id)),
    )


def _render_parts(parts: IdeaParts) -> str:
    body = parts.body.decode()
    if current_user.is_authenticated:  # the viewer's own: whether they muted it
        body = fill_slot(body, "follow", follow_control("idea", parts.idea_id))
    return render_template("ideas/idea.html", parts=parts, body=Markup(body))


def _render_idea(idea: Idea, **forms) -> str:
    return _render_parts(_idea_parts(idea, **forms))


def _nothing_of_theirs(parts: IdeaParts) -> bool:
    """The viewer suggested, voted for and follows nothing on the page."""
    if parts.author_id == current_user.id or current_user.id in parts.withheld_authors:
        return False
    if parts.voters_and_followers is not None:
        return current_user.id not in parts.voters_and_followers
    return not has_voted_or_follows(current_user, parts.idea_id)


def _status_choices():
    return {kind: select_choices(pairs) for kind, pairs in grouped_choices().items()}


@bp.get("/ideas/<int:idea_id>")
@kept_page(
    Permission.POST,
    Permission.VOTE,
    Permission.FOLLOW,
    Permission.EDIT_IDEA,
    Permission.MANAGE_IDEAS,
    Permission.MODERATE,
    Permission.FLAG,
    Permission.RUN_POLLS,  # "Add a poll" under it (portal/polls)
    whole=False,
)
def idea(idea_id: int):
    def parts_or_redirect():
        idea = get_idea_or_404(idea_id)
        destination = None if request.args.get("original") else merge_destination(idea)
        if destination is not None:
            return redirect(url_for(".idea", idea_id=destination.id, merged_from=idea.id))
        return _idea_parts(idea)

    return post_page(parts_or_redirect, _render_parts, _nothing_of_theirs)


# Suggesting -----------------------------------------------------------------------------------


def _idea_form(areas, idea: Idea | None = None) -> IdeaForm:
    if idea is None:
        form = IdeaForm()
    else:
        form = IdeaForm(
            title=idea.title,
            description=editable_source(idea),
            area=idea.product_area.slug if idea.product_area else "",
        )
    form.area.choices = select_choices(
        [("", "Not sure / other")] + [(area.slug, area.name) for area in areas]
    )
    return form


@bp.route("/ideas/new", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: posting_limit(POST_LIMIT), methods=["POST"])
@form_view
def new():
    require(Permission.POST)
    areas = all_areas()
    form = _idea_form(areas)
    if form.validate_on_submit():
        area = next((a for a in areas if a.slug == form.area.data), None)
        idea = write(
            lambda: suggest_idea(
                current_user,
                title=form.title.data,
                body=form.description.data or "",
                area=area,
                screening=screen(
                    current_user,
                    f"{form.title.data}\n\n{form.description.data or ''}",
                    honeypot=honeypot_filled(),
                ),
            )
        )
        if idea.is_pending:
            flash(WAITS.format(post="idea"), "info")
        else:
            flash("Thanks! Your idea is posted, and your vote is counted.", "success")
        return redirect(url_for(".idea", idea_id=idea.id))
    similar_items = similar(form.title.data or "") if form.is_submitted() else []
    return render_template("ideas/new.html", form=form, idea=None, similar_items=similar_items)


@bp.route("/ideas/<int:idea_id>/edit", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: posting_limit(POST_LIMIT), methods=["POST"])
@form_view
def edit(idea_id: int):
    idea = get_idea_or_404(idea_id)
    require(Permission.EDIT_IDEA, idea)
    areas = all_areas()
    form = _idea_form(areas, idea)
    if form.validate_on_submit():
        area = next((a for a in areas if a.slug == form.area.data), None)
        edited = write(
            lambda: edit_idea(
                idea,
                by=current_user,
                title=form.title.data,
                body=form.description.data or "",
                area=area,
            ),
            form=form,
            field="title",
        )
        if edited is not REFUSED:
            flash("Your changes are saved.", "success")
            return redirect(url_for(".idea", idea_id=idea.id))
    return render_template("ideas/new.html", form=form, idea=idea)


# Votes and following --------------------------------------------------------------------------


@bp.post("/ideas/<int:idea_id>/vote")
@login_required
@limiter.limit(VOTE_LIMIT)
def vote(idea_id: int):
    idea = get_idea_or_404(idea_id)
    require(Permission.VOTE, idea)
    voted = write(
        lambda: toggle_vote(idea, current_user, request.form.get("intent")),
        back=url_for(".idea", idea_id=idea.id),
    )
    if wants_json():
        db.session.refresh(idea)
        return jsonify(voted=voted, votes=idea.votes)
    flash("Your vote is counted." if voted else "Your vote is withdrawn.", "success")
    return redirect(url_for(".idea", idea_id=idea.id))


@bp.post("/ideas/<int:idea_id>/follow")
@login_required
def follow_idea(idea_id: int):
    idea = get_idea_or_404(idea_id)
    require(Permission.FOLLOW, idea)
    write(lambda: start_following(idea, current_user))
    flash(
        "You are following this idea: we’ll tell you about comments and status changes.", "success"
    )
    return redirect(url_for(".idea", idea_id=idea.id, original=1 if idea.is_merged else None))


@bp.post("/ideas/<int:idea_id>/unfollow")
@login_required
def unfollow_idea(idea_id: int):
    idea = get_idea_or_404(idea_id)
    require(Permission.FOLLOW, idea)
    write(lambda: unfollow(idea, current_user))
    flash("You no longer follow this idea.", "success")
    return redirect(url_for(".idea", idea_id=idea.id, original=1 if idea.is_merged else None))


@bp.post("/ideas/<int:idea_id>/votes/behalf")
@login_required
@limiter.limit(lambda: posting_limit(POST_LIMIT))
def vote_behalf(idea_id: int):
    idea = get_idea_or_404(idea_id)
    require(Permission.MANAGE_IDEAS, idea)
    form = BehalfForm(prefix="behalf")
    if form.validate_on_submit():

        def vote_for_customer():
            customer = find_customer(form.customer.data)
            vote_on_behalf(idea, customer, by=current_user)
            return customer

        customer = write(vote_for_customer, form=form, field="customer")
        if customer is not REFUSED:
            flash(f"Vote added for {customer.display_name}.", "success")
            return redirect(url_for(".idea", idea_id=idea.id))
    return _render_idea(idea, behalf_form=form)


# Comments -------------------------------------------------------------------------------------


@bp.post("/ideas/<int:idea_id>/comments")
@login_required
@limiter.limit(lambda: posting_limit(POST_LIMIT))
@form_view
def comment(idea_id: int):
    idea = get_idea_or_404(idea_id)
    require(Permission.POST, idea)
    form = CommentForm(prefix="comment")
    if form.validate_on_submit():
        posted = write(
            lambda: add_comment(
                idea,
                current_user,
                form.body.data,
                screening=screen(current_user, form.body.data, honeypot=honeypot_filled()),
            ),
            form=form,
            field="body",
        )
        if posted is not REFUSED and posted.is_pending:
            flash(WAITS.format(post="comment"), "info")
        elif posted is not REFUSED:
            flash("Your comment is posted.", "success")
            return redirect(url_for(".idea", idea_id=idea.id, _anchor=f"comment-{posted.id}"))
    return _render_idea(idea, comment_form=form)


@bp.post("/ideas/<int:idea_id>/comments/<int:comment_id>/official")
@login_required
def official(idea_id: int, comment_id: int):
    idea = get_idea_or_404(idea_id)
    require(Permission.MANAGE_IDEAS, idea)
    comment = db.get_or_404(IdeaComment, comment_id)
    if comment.idea_id != idea.id:
        abort(404)
    write(lambda: mark_official(comment, by=current_user))
    flash(
        "Marked as the official response." if comment.is_official else "No longer official.",
        "success",
    )
    return redirect(url_for(".idea", idea_id=idea.id, _anchor=f"comment-{comment.id}"))


# Product team ---------------------------------------------------------------------------------


@bp.post("/ideas/<int:idea_id>/status")
@login_required
@limiter.limit(lambda: posting_limit(POST_LIMIT))
@form_view
def status(idea_id: int):
    idea = get_idea_or_404(idea_id)
    require(Permission.MANAGE_IDEAS, idea)
    form = StatusForm(prefix="status")
    form.status.choices = _status_choices()
    if form.validate_on_submit():
        changed = write(
            lambda: change_status(idea, form.status.data, note=form.note.data, by=current_user),
            form=form,
            field="status",
        )
        if changed is not REFUSED:
            flash(f"Status changed to {idea_look(idea).name}; voters are notified.", "success")
            return redirect(url_for(".idea", idea_id=idea.id))
    return _render_idea(idea, status_form=form)


@bp.post("/ideas/<int:idea_id>/merge")
@login_required
@limiter.limit(lambda: posting_limit(POST_LIMIT))
@form_view
def merge(idea_id: int):
    idea = get_idea_or_404(idea_id)
    require(Permission.MANAGE_IDEAS, idea)
    form = MergeForm(prefix="merge")
    if form.validate_on_submit():
        target = get_idea(form.target_id)
        if target is None:
            form.target.errors.append(f"There is no idea #{form.target_id}.")
        elif (
            write(
                lambda: merge_ideas(idea, target, by=current_user, note=form.note.data),
                form=form,
                field="target",
            )
            is not REFUSED
        ):
            flash(f"Merged into #{target.id}; voters moved without double counting.", "success")
            return redirect(url_for(".idea", idea_id=target.id))
    return _render_idea(idea, merge_form=form)
