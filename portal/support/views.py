"""Support Q&A pages. Each view loads, authorises, validates, calls one service and commits."""

import secrets
from dataclasses import dataclass

from flask import (
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
)
from flask_login import current_user, login_required
from markupsafe import Markup

from portal.accounts.permissions import Forbidden, Permission, can, require
from portal.caching import few_members, fill_slot, is_page, kept_page, kept_part, post_page
from portal.csrf import form_view
from portal.extensions import db, limiter
from portal.follows.controls import follow_control
from portal.forms import honeypot_filled, select_choices
from portal.markdown import editable_source
from portal.moderation.screening import WAITS, posting_limit, screen
from portal.pagination import paginate_ids
from portal.search.queries import similar
from portal.support import bp, queries, services
from portal.support.forms import AnswerForm, CloseForm, CommentForm, QuestionForm
from portal.support.links import answer_url, question_url
from portal.support.models import Answer, Comment, Question
from portal.support.panels import question_panels
from portal.support.queries import get_answer_or_404, get_question_or_404, gone
from portal.support.seo import qa_page
from portal.support.view_counts import count_view
from portal.taxonomy.services import all_areas, area_by_slug, suggest_tags
from portal.writes import REFUSED, wants_json, write

POST_LIMIT = "20 per minute"
VOTE_LIMIT = "60 per minute"
PER_PAGE = 30
VIEWED_KEY = "viewed_questions"
VIEWED_REMEMBERED = 200


# Loading and responding ------------------------------------------------------------------------


def _url(post: Question | Answer) -> str:
    return answer_url(post) if isinstance(post, Answer) else question_url(post)


def _area_choices(form: QuestionForm, areas) -> None:
    form.area.choices = select_choices(
        [("", "Choose a product area…")] + [(a.slug, a.name) for a in areas]
    )


def _count_view_once(question_id: int) -> None:
    """Count a visit once per browser session (written in batches, see view_counts)."""
    viewed = session.get(VIEWED_KEY, [])
    if question_id in viewed:
        return
    count_view(question_id)
    session[VIEWED_KEY] = [*viewed, question_id][-VIEWED_REMEMBERED:]


# Lists -----------------------------------------------------------------------------------------


@bp.get("/questions")
@kept_page(Permission.MODERATE, Permission.POST)
def questions():
    tab = request.args.get("tab", "newest")
    if tab not in queries.TABS:
        tab = "newest"
    area = area_by_slug(request.args.get("area", "")) if request.args.get("area") else None
    tag_name = request.args.get("tag", "").strip()
    tag = queries.tag_by_name(tag_name) if tag_name else None
    if tag_name and tag is None:
        abort(404)
    content = kept_part(lambda: _questions_content(tab, area, tag))
    if tag or area:
        control = follow_control(*(("tag", tag.id) if tag else ("area", area.id)), compact=True)
        content = fill_slot(content, "follow", control)
    return render_template(
        "support/questions.html", content=Markup(content), tab=tab, area=area, tag=tag
    )


def _questions_content(tab: str, area, tag) -> str:
    """A questions page apart from its layout: the same for every viewer of a class."""
    page = paginate_ids(
        queries.question_list(tab, area=area, tag=tag), queries.load_questions, per_page=PER_PAGE
    )
    return render_template(
        "support/_questions_page.html",
        page=page,
        total=page.total,
        tab=tab,
        areas=all_areas(),
        area=area,
        tag=tag,
    )


@bp.get("/questions/unanswered")
@login_required
def unanswered():
    require(Permission.MODERATE)
    areas = all_areas()
    area = area_by_slug(request.args.get("area", "")) if request.args.get("area") else None
    page = paginate_ids(queries.unanswered_queue(area), queries.load_questions, per_page=PER_PAGE)
    return render_template("support/unanswered.html", page=page, areas=areas, area=area)


@bp.get("/questions/tags")
def tag_suggestions():
    """Existing tags starting with ?q=, for the ask form's suggestions."""
    return jsonify(tags=suggest_tags(request.args.get("q", "")[:35]))


# Asking ----------------------------------------------------------------------------------------


@bp.route("/questions/ask", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: posting_limit(POST_LIMIT), methods=["POST"])
@form_view
def ask():
    require(Permission.POST)
    areas = all_areas()
    form = QuestionForm()
    _area_choices(form, areas)
    if request.method == "GET":
        form.form_token.data = secrets.token_urlsafe(24)
        form.area.data = request.args.get("area", "")
    if form.validate_on_submit():
        area = next(a for a in areas if a.slug == form.area.data)
        asked = write(
            lambda: services.ask_question(
                current_user,
                title=form.title.data,
                body=form.body.data,
                area=area,
                tags=form.tag_names,
                form_token=form.form_token.data or None,
                screening=screen(
                    current_user,
                    f"{form.title.data}\n\n{form.body.data}",
                    honeypot=honeypot_filled(),
                ),
            ),
            form=form,
            field="tags",
        )
        if asked is not REFUSED:
            question, created = asked
            if created and question.is_pending:
                flash(WAITS.format(post="question"), "info")
            elif created:
                flash("Your question is posted. We’ll notify you when someone answers.", "success")
            return redirect(question_url(question))
    similar_items = similar(form.title.data or "") if form.is_submitted() else []
    return render_template("support/ask.html", form=form, editing=None, similar_items=similar_items)


# The question page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionParts:
    """A question page apart from its layout (see `post_page`)."""

    title: str
    description: str
    head_meta: Markup
    body: bytes  # UTF-8: kept for many viewers, in half the memory of the text
    question_id: int
    answer_ids: tuple[int, ...]
    participants: frozenset[int]  # who asked, answered or commented
    voters: frozenset[int] | None  # for content kept for members; None: too many to keep


def _question_parts(question: Question, *, answer_form=None, comment_form=None, target=None):
    moderator = can(current_user, Permission.MODERATE)
    data = queries.load_question_page(question, current_user, moderator=moderator)
    context = {
        "page": data,
        "question": question,
        "description": queries.meta_description(question),
        "canonical": question_url(question, public=True),
    }
    head_meta = render_template(
        "support/_question_head.html", structured_data=qa_page(data), **context
    )
    body = render_template(
        "support/_question_body.html",
        panels=question_panels(question),
        answer_form=answer_form or AnswerForm(formdata=None),
        comment_form=comment_form,
        comment_target=target,
        **context,
    )
    comments = [comment for listed in data.comments.values() for comment in listed]
    answer_ids = tuple(answer.id for answer in data.answers)
    solved = " (solved)" if question.is_solved else ""
    return QuestionParts(
        title=f"{question.title}{solved} · {question.product_area.name}",
        description=context["description"],
        head_meta=Markup(head_meta),
        body=body.encode(),
        question_id=question.id,
        answer_ids=answer_ids,
        participants=frozenset(
            post.author_id for post in [question, *data.answers, *comments] if post.author_id
        )
        | queries.withheld_authors(question.id),
        voters=few_members(queries.voters_on(question.id, answer_ids)),
    )


def _render_parts(parts: QuestionParts) -> str:
    body = fill_slot(parts.body.decode(), "follow", follow_control("question", parts.question_id))
    return render_template("support/question.html", parts=parts, body=body)


def _render_question(question: Question, **forms) -> str:
    """The page for this viewer (also after a form on it failed to validate)."""
    return _render_parts(_question_parts(question, **forms))


def _nothing_of_theirs(parts: QuestionParts) -> bool:
    """The viewer asked, answered, commented and voted nothing on the page."""
    if current_user.id in parts.participants:
        return False
    if parts.voters is not None:
        return current_user.id not in parts.voters
    return not queries.has_votes_on(current_user, parts.question_id, parts.answer_ids)


@bp.get("/questions/<int:question_id>")
@bp.get("/questions/<int:question_id>/<slug>")
@kept_page(
    Permission.POST,
    Permission.VOTE_ON_POST,
    Permission.EDIT_POST,
    Permission.ACCEPT_ANSWER,
    Permission.MODERATE,
    Permission.MANAGE_IDEAS,  # the linked-ideas panel (portal/links)
    Permission.FLAG,
    Permission.RUN_POLLS,  # "Add a poll" under it (portal/polls)
    whole=False,
)
def question(question_id: int, slug: str | None = None):
    def parts_or_redirect():
        question = get_question_or_404(question_id)
        if slug is not None and slug != question.slug:
            return redirect(question_url(question), 301)
        return _question_parts(question)

    page = post_page(parts_or_redirect, _render_parts, _nothing_of_theirs)
    if is_page(page):
        _count_view_once(question_id)
    return page


@bp.get("/answers/<int:answer_id>")
def answer_link(answer_id: int):
    """A permanent link to one answer: its place on the question page."""
    return redirect(answer_url(get_answer_or_404(answer_id)))


@bp.post("/questions/<int:question_id>/answers")
@login_required
@limiter.limit(lambda: posting_limit(POST_LIMIT))
@form_view
def answer(question_id: int):
    question = get_question_or_404(question_id)
    require(Permission.POST)
    form = AnswerForm()
    if form.validate_on_submit():
        new = write(
            lambda: services.post_answer(
                question,
                current_user,
                form.body.data,
                screening=screen(current_user, form.body.data, honeypot=honeypot_filled()),
            ),
            back=question_url(question),
        )
        if new.is_pending:
            flash(WAITS.format(post="answer"), "info")
        else:
            flash("Your answer is posted. Thank you for helping!", "success")
        return redirect(answer_url(new))
    return _render_question(question, answer_form=form), 422


# Votes and accepting ---------------------------------------------------------------------------


def _vote(post, back: str):
    require(Permission.VOTE)
    value = {"up": services.UP, "down": services.DOWN, "withdraw": services.WITHDRAW}.get(
        request.form.get("value", ""), 99
    )
    result = write(lambda: services.cast_vote(current_user, post, value), back=_url(post))
    if wants_json():
        return jsonify(score=result.score, my_vote=result.my_vote, message=result.message)
    flash(result.message, "success")
    return redirect(back)


@bp.post("/questions/<int:question_id>/vote")
@login_required
@limiter.limit(VOTE_LIMIT)
def vote_question(question_id: int):
    question = get_question_or_404(question_id)
    return _vote(question, question_url(question))


@bp.post("/answers/<int:answer_id>/vote")
@login_required
@limiter.limit(VOTE_LIMIT)
def vote_answer(answer_id: int):
    answer = get_answer_or_404(answer_id)
    return _vote(answer, answer_url(answer))


def _require_accept(question: Question) -> None:
    require(Permission.VOTE)  # anonymous: log in; suspended: why not
    if not can(current_user, Permission.ACCEPT_ANSWER, question):
        raise Forbidden(
            "Only the person who asked this question (or our support team) can accept an answer."
        )


@bp.post("/answers/<int:answer_id>/accept")
@login_required
def accept(answer_id: int):
    answer = get_answer_or_404(answer_id)
    _require_accept(answer.question)
    write(lambda: services.accept_answer(answer, current_user), back=answer_url(answer))
    flash("Answer accepted. It now shows first for everyone who finds this question.", "success")
    return redirect(answer_url(answer))


@bp.post("/answers/<int:answer_id>/unaccept")
@login_required
def unaccept(answer_id: int):
    answer = get_answer_or_404(answer_id)
    _require_accept(answer.question)
    write(lambda: services.unaccept_answer(answer, current_user), back=answer_url(answer))
    flash("The answer is no longer marked as accepted.", "success")
    return redirect(answer_url(answer))


# Comments --------------------------------------------------------------------------------------


def _comment(post, question: Question, target: tuple[str, int]):
    require(Permission.POST)
    form = CommentForm(prefix=f"{target[0]}-{target[1]}")
    if form.validate_on_submit():
        comment = write(
            lambda: services.add_comment(
                current_user,
                post,
                form.body.data,
                screening=screen(current_user, form.body.data, honeypot=honeypot_filled()),
            ),
            back=question_url(question),
        )
        if comment.is_pending:
            flash(WAITS.format(post="comment"), "info")
        else:
            flash("Your comment is posted.", "success")
        return redirect(question_url(question, _anchor=f"comment-{comment.id}"))
    return _render_question(question, comment_form=form, target=target), 422


@bp.post("/questions/<int:question_id>/comments")
@login_required
@limiter.limit(lambda: posting_limit(POST_LIMIT))
@form_view
def comment_question(question_id: int):
    question = get_question_or_404(question_id)
    return _comment(question, question, ("question", question.id))


@bp.post("/answers/<int:answer_id>/comments")
@login_required
@limiter.limit(lambda: posting_limit(POST_LIMIT))
@form_view
def comment_answer(answer_id: int):
    answer = get_answer_or_404(answer_id)
    return _comment(answer, answer.question, ("answer", answer.id))


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete_comment(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    question = get_question_or_404(comment.question_id)
    if comment.is_deleted and not can(current_user, Permission.MODERATE):
        gone("comment")
    require(Permission.EDIT_POST, comment)
    write(lambda: services.delete_comment(comment, current_user), back=question_url(question))
    flash("Comment deleted.", "success")
    return redirect(question_url(question))


# Editing ---------------------------------------------------------------------------------------


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: posting_limit(POST_LIMIT), methods=["POST"])
@form_view
def edit_question(question_id: int):
    question = get_question_or_404(question_id)
    require(Permission.EDIT_POST, question)
    areas = all_areas()
    form = QuestionForm(obj=question)
    if not form.is_submitted():
        # WTForms prefers `obj` attributes to keyword values, so set these after it.
        form.area.data = question.product_area.slug
        form.tags.data = " ".join(tag.name for tag in question.tags)
        form.body.data = editable_source(question)  # imported posts have only HTML
    _area_choices(form, areas)
    if form.validate_on_submit():
        area = next(a for a in areas if a.slug == form.area.data)
        changed = write(
            lambda: services.edit_question(
                question,
                current_user,
                title=form.title.data,
                body=form.body.data,
                area=area,
                tags=form.tag_names,
            ),
            back=question_url(question),
        )
        flash("Your edit is saved." if changed else "Nothing changed.", "success")
        return redirect(question_url(question))
    return render_template("support/ask.html", form=form, editing=question)


@bp.route("/answers/<int:answer_id>/edit", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: posting_limit(POST_LIMIT), methods=["POST"])
@form_view
def edit_answer(answer_id: int):
    answer = get_answer_or_404(answer_id)
    require(Permission.EDIT_POST, answer)
    form = AnswerForm(obj=answer)
    if not form.is_submitted():
        form.body.data = editable_source(answer)  # imported posts have only HTML
    if form.validate_on_submit():
        changed = write(
            lambda: services.edit_answer(answer, current_user, body=form.body.data),
            back=answer_url(answer),
        )
        flash("Your edit is saved." if changed else "Nothing changed.", "success")
        return redirect(answer_url(answer))
    return render_template("support/edit_answer.html", form=form, answer=answer)


@bp.get("/questions/<int:question_id>/revisions")
def question_revisions(question_id: int):
    question = get_question_or_404(question_id)
    return render_template(
        "support/revisions.html",
        post=question,
        question=question,
        revisions=queries.revisions_of(question),
    )


@bp.get("/answers/<int:answer_id>/revisions")
def answer_revisions(answer_id: int):
    answer = get_answer_or_404(answer_id)
    return render_template(
        "support/revisions.html",
        post=answer,
        question=answer.question,
        revisions=queries.revisions_of(answer),
    )


# Moderation ------------------------------------------------------------------------------------


def _moderate(action, post, back: str, done: str):
    require(Permission.MODERATE)
    write(lambda: action(post, current_user), back=_url(post))
    flash(done, "success")
    return redirect(back)


@bp.post("/questions/<int:question_id>/delete")
@login_required
def delete_question(question_id: int):
    question = get_question_or_404(question_id)
    return _moderate(
        services.delete_post,
        question,
        question_url(question),
        "Question deleted. Members no longer see it; staff can undelete it.",
    )


@bp.post("/questions/<int:question_id>/undelete")
@login_required
def undelete_question(question_id: int):
    question = get_question_or_404(question_id)
    return _moderate(services.undelete_post, question, question_url(question), "Question restored.")


@bp.post("/answers/<int:answer_id>/delete")
@login_required
def delete_answer(answer_id: int):
    answer = get_answer_or_404(answer_id)
    return _moderate(
        services.delete_post,
        answer,
        answer_url(answer),
        "Answer deleted. Members no longer see it; staff can undelete it.",
    )


@bp.post("/answers/<int:answer_id>/undelete")
@login_required
def undelete_answer(answer_id: int):
    answer = get_answer_or_404(answer_id)
    return _moderate(services.undelete_post, answer, answer_url(answer), "Answer restored.")


@bp.route("/questions/<int:question_id>/close", methods=["GET", "POST"])
@login_required
@form_view
def close(question_id: int):
    question = get_question_or_404(question_id)
    require(Permission.MODERATE)
    form = CloseForm()
    if form.validate_on_submit():
        original = db.session.get(Question, form.original_id) if form.original_id else None
        if original is None:
            form.duplicate_of.errors.append("There is no question with that number.")
        else:
            closed = write(
                lambda: services.close_as_duplicate(question, current_user, original),
                form=form,
                field="duplicate_of",
            )
            if closed is not REFUSED:
                flash("Closed as a duplicate. It links to the original.", "success")
                return redirect(question_url(question))
    # The questions most like it, each closable with one click (similar items); not one that
    # is itself a duplicate: the original is the one to point at.
    alike = similar(question.title, "question", exclude=(("question", question.id),))
    suggestions = [hit for hit in alike if hit.status != "duplicate"]
    return render_template(
        "support/close.html", form=form, question=question, suggestions=suggestions
    )


@bp.post("/questions/<int:question_id>/reopen")
@login_required
def reopen(question_id: int):
    question = get_question_or_404(question_id)
    return _moderate(
        services.reopen_question,
        question,
        question_url(question),
        "Question reopened. It takes answers again.",
    )
