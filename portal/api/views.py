"""The API's calls. Thin, as the pages' views: rules in services, reads in queries; every
list and record is what the caller could see on the site."""

from flask import abort, jsonify, render_template, request
from marshmallow import Schema, ValidationError
from marshmallow import fields as f
from marshmallow.validate import Length, OneOf, Range
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import User
from portal.accounts.permissions import Permission, can, require
from portal.api import bp, docs_bp, schemas, spec
from portal.api.auth import caller
from portal.api.operations import Paging, invalid, operation, page_by_cursor, refused_field
from portal.caching import cached
from portal.extensions import db
from portal.ideas import queries as idea_queries
from portal.ideas.models import Idea
from portal.ideas.statuses import MERGED, status_by_value, status_options
from portal.insights.filters import parse_filters
from portal.insights.panels import PANEL_KEYS, PANELS
from portal.notifications.models import Notification
from portal.search.queries import MAX_QUERY_CHARS, TYPES, Filters, search, similar
from portal.support import queries as support_queries
from portal.support.models import Question, question_tags
from portal.taxonomy.models import ProductArea, Tag
from portal.taxonomy.services import all_areas, area_by_slug

# Reference data -------------------------------------------------------------------------------


@operation(
    "/product-areas",
    summary="Product areas",
    tag="Reference",
    response=schemas.ProductArea,
    many=True,
    shared=True,
)
def product_areas():
    """Every product area, in the order the site lists them."""
    return all_areas()


@operation(
    "/statuses",
    summary="Idea statuses",
    tag="Reference",
    response=schemas.Status,
    many=True,
    shared=True,
)
def statuses():
    """The statuses an idea moves through, as the admins named and ordered them; `kind` says
    what each does, and `takes_votes` which are open for voting."""
    return [*status_options(), MERGED]


class TagQuery(Paging):
    prefix = f.Str(validate=Length(max=35), metadata={"description": "Tags that start with this"})


@operation(
    "/tags",
    summary="Tags",
    tag="Reference",
    query=TagQuery,
    response=schemas.Tag,
    many=True,
    shared=True,
)
def tags(query):
    """Tags in use on questions, by name."""
    used = select(question_tags.c.tag_id)
    rows = select(Tag).where(Tag.id.in_(used))
    if query.get("prefix"):
        rows = rows.where(Tag.name.startswith(query["prefix"].strip().lower(), autoescape=True))
    return list(db.session.scalars(rows.order_by(Tag.name).limit(query["limit"])))


# Questions ------------------------------------------------------------------------------------


def _area_or_422(slug: str | None) -> ProductArea | None:
    if not slug:
        return None
    area = area_by_slug(slug)
    if area is None:
        refused_field("area", "There is no product area with that slug.")
    return area


class QuestionQuery(Paging):
    area = f.Str(metadata={"description": "A product area's slug"})
    tag = f.Str(validate=Length(max=35))
    unanswered = f.Bool(metadata={"description": "Only open questions nobody has answered"})
    solved = f.Bool()


@operation(
    "/questions",
    summary="List questions",
    tag="Questions",
    query=QuestionQuery,
    response=schemas.QuestionSummary,
    paged=True,
    shared=True,
)
def questions(query):
    """Questions everyone may see, newest first: the site's lists, by the same filters."""
    area = _area_or_422(query.get("area"))
    tag = support_queries.tag_by_name(query["tag"]) if query.get("tag") else None
    if query.get("tag") and tag is None:
        return [], None
    tab = "unanswered" if query.get("unanswered") else "solved" if query.get("solved") else ""
    rows = support_queries.listed(
        select(Question).options(selectinload(Question.tags)), tab, area=area, tag=tag
    )
    if query.get("solved") is False:
        rows = rows.where(Question.is_solved.is_(False))
    return page_by_cursor(rows, Question, query)


def _question_alike_for_all(question_id: int) -> bool:
    """Whether the caller sees the question as a visitor does: it is live, and they are no
    moderator and wrote nothing on it that waits for review or is hidden. What it reads is
    kept until the community changes, so a kept answer costs no query of its own."""
    if not cached(
        "api.question_live",
        question_id,
        compute=lambda: _exists(Question, question_id, Question.live()),
    ):
        return False
    viewer = caller()
    if not viewer.is_authenticated:
        return True
    if can(viewer, Permission.MODERATE):
        return False
    withheld = cached(
        "api.question_withheld",
        question_id,
        compute=lambda: support_queries.withheld_authors(question_id),
    )
    return viewer.id not in withheld


def _idea_alike_for_all(idea_id: int) -> bool:
    live = Idea.review_state.is_(None)
    return cached("api.idea_live", idea_id, compute=lambda: _exists(Idea, idea_id, live))


def _exists(model, row_id: int, condition) -> bool:
    """Whether the row exists and meets `condition` (one narrow query, no joined rows)."""
    found = db.session.execute(select(model.id).where(model.id == row_id, condition)).first()
    return found is not None


@operation(
    "/questions/<int:question_id>",
    summary="A question with its answers and comments",
    tag="Questions",
    response=schemas.Question,
    errors=(404,),
    shared=_question_alike_for_all,
)
def question(question_id: int):
    """The question, with the answers and comments the caller may see: the accepted answer
    first, then by score."""
    found = support_queries.get_question_or_404(question_id)
    viewer = caller()
    page = support_queries.load_question_page(
        found, viewer, moderator=can(viewer, Permission.MODERATE)
    )
    for answer in page.answers:
        answer.comments = page.comments.get(("answer", answer.id), [])
    found.comments = page.comments.get(("question", found.id), [])
    found.answers = page.answers
    return found


# Ideas ----------------------------------------------------------------------------------------


def _a_status(value: str) -> None:
    if value not in ("open", "all") and status_by_value(value) is None:
        raise ValidationError("Not a status: see /statuses for those there are.")


class IdeaQuery(Paging):
    status = f.Str(
        validate=_a_status,
        metadata={
            "description": "A status's value (see `/statuses`), `open` (the default: those "
            "taking votes) or `all`"
        },
    )
    area = f.Str(metadata={"description": "A product area's slug"})


@operation(
    "/ideas",
    summary="List ideas",
    tag="Ideas",
    query=IdeaQuery,
    response=schemas.IdeaSummary,
    paged=True,
    shared=True,
)
def ideas(query):
    """Ideas on the board, newest first."""
    status = query.get("status", "open")
    area = _area_or_422(query.get("area"))
    rows = idea_queries.board_ideas("" if status == "open" else status, area).options(
        joinedload(Idea.author), joinedload(Idea.product_area)
    )
    return page_by_cursor(rows, Idea, query)


def idea_or_404(idea_id: int) -> Idea:
    idea = idea_queries.get_idea(idea_id)
    if idea is None or not idea_queries.may_see(idea, caller()):
        abort(404, description="There is no idea with that id, or you may not see it.")
    return idea


@operation(
    "/ideas/<int:idea_id>",
    summary="An idea",
    tag="Ideas",
    response=schemas.Idea,
    errors=(404,),
    shared=_idea_alike_for_all,
)
def idea(idea_id: int):
    """The idea; a merged idea names the one it was merged into."""
    return idea_or_404(idea_id)


# Search ---------------------------------------------------------------------------------------


class SearchQuery(Schema):
    q = f.Str(
        load_default="",
        validate=Length(max=MAX_QUERY_CHARS),
        metadata={"description": "Words, as in the site's search"},
    )
    type = f.Str(validate=OneOf(TYPES))  # questions and ideas, and events and polls
    area = f.Str(validate=Length(max=80))
    tag = f.Str(validate=Length(max=35))
    page = f.Int(load_default=1, validate=Range(1, 1000))


@operation(
    "/search",
    summary="Search",
    tag="Search",
    query=SearchQuery,
    response=schemas.SearchResults,
    shared=True,
)
def search_all(query):
    """Questions, ideas, events and polls that match, best first, as on the site's search
    page."""
    outcome = search(
        query["q"],
        Filters(type=query.get("type"), area=query.get("area"), tag=query.get("tag")),
        page=query["page"],
    )
    return outcome


class SimilarQuery(Schema):
    title = f.Str(required=True, validate=Length(min=1, max=MAX_QUERY_CHARS))
    type = f.Str(load_default="any", validate=OneOf(["question", "idea", "any"]))


@operation(
    "/similar",
    summary="Similar questions and ideas",
    tag="Search",
    query=SimilarQuery,
    response=schemas.SearchHit,
    many=True,
    shared=True,
)
def similar_items(query):
    """What is already asked or suggested with a title like this one, in meaning as well as
    in words (where the portal runs its similarity model): call it while a title is typed,
    to find the duplicate before it is posted."""
    return similar(query["title"], query["type"])


# Members --------------------------------------------------------------------------------------


@operation(
    "/members/<int:user_id>",
    summary="A member's public profile",
    tag="Members",
    response=schemas.MemberWithSegment,
    errors=(404,),
)
def member(user_id: int):
    """Public fields only; company and plan to the team and to the member themselves."""
    user = db.session.get(User, user_id)
    if user is None or (user.email is None and not user.is_imported):
        abort(404, description="There is no member with that id.")
    return user


@operation(
    "/me", summary="The caller", tag="Members", response=schemas.MemberWithSegment, errors=(401,)
)
def me():
    """The member the token belongs to."""
    return _signed_in()


def _signed_in() -> User:
    user = caller()
    if not user.is_authenticated:
        abort(401, description="This call needs a token.")
    return user


class NotificationQuery(Paging):
    unread = f.Bool(metadata={"description": "Only those not read yet"})


@operation(
    "/me/notifications",
    summary="The caller's notifications",
    tag="Members",
    query=NotificationQuery,
    response=schemas.Notification,
    paged=True,
    errors=(401,),
)
def notifications(query):
    """Newest first, as on the site's notifications page."""
    user = _signed_in()
    rows = select(Notification).where(Notification.user_id == user.id)
    if query.get("unread"):
        rows = rows.where(Notification.read_at.is_(None))
    return page_by_cursor(rows, Notification, query)


# Insights -------------------------------------------------------------------------------------


class InsightsQuery(Schema):
    period = f.Str(metadata={"description": "As on the dashboard: 7d, 30d, 90d, 365d or custom"})
    since = f.Str(metadata={"description": "YYYY-MM-DD, with period=custom"})
    until = f.Str(metadata={"description": "YYYY-MM-DD, with period=custom"})
    area = f.Str(metadata={"description": "A product area's slug"})
    plan = f.Str(metadata={"description": "A plan's slug"})


@operation(
    "/insights/<panel>",
    summary="An insights figure",
    tag="Insights",
    scope="insights",
    query=InsightsQuery,
    response=schemas.InsightsPanel,
    errors=(403, 404),
    needs="The product team, support staff and admins.",
    path_values={"panel": {"enum": PANEL_KEYS}},
)
def insights_panel(panel: str, query):
    """One of the dashboard's figures as a table, for the period and filters given: the same
    numbers as the dashboard and its CSV."""
    require(Permission.VIEW_INSIGHTS)
    build = PANELS.get(panel)
    if build is None:
        abort(404, description=f"There is no figure {panel}: one of {', '.join(sorted(PANELS))}.")
    filters = parse_filters(request.args)
    if filters.errors:
        abort(invalid({name: [message] for name, message in filters.errors.items()}))
    built = build(filters)
    return {
        "key": built.key,
        "title": built.title,
        "description": built.description,
        "since": filters.since,
        "until": filters.until,
        "columns": built.columns,
        "rows": [[_cell(value) for value in row] for row in built.rows],
    }


def _cell(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


# The document ---------------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(spec.document())


@docs_bp.get("/api")
def docs():
    """The API's reference, read in the browser: the same document as openapi.json."""
    return render_template("api/docs.html", document=spec.document(), **spec.reference())
