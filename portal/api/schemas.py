"""What the API answers with: marshmallow schemas that turn rows into JSON and describe that
JSON in the OpenAPI document. Members appear with their public fields only; a customer's
company and plan only to those who may see a segment."""

from datetime import UTC

from flask import current_app
from marshmallow import INCLUDE, Schema, fields

from portal.accounts.permissions import Permission, can
from portal.api.auth import caller
from portal.ideas.statuses import idea_look
from portal.public_url import public_url


def _link(endpoint: str, **values):
    return fields.Function(
        lambda obj: public_url(endpoint, **{name: get(obj) for name, get in values.items()}),
        metadata={"description": "The page on the site", "format": "uri"},
    )


class When(fields.DateTime):
    """A moment in UTC, as RFC 3339 says (the database keeps them naive, in UTC)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.replace(tzinfo=UTC).isoformat(timespec="seconds")


def _absolute(path: str) -> str:
    """A site path as an absolute URL on the configured public address."""
    return current_app.config["BASE_URL"].rstrip("/") + path


class Member(Schema):
    id = fields.Int()
    display_name = fields.Str()
    role = fields.Str(metadata={"description": "member, staff, product, manager or admin"})
    reputation = fields.Int()
    created_at = When()
    url = _link("accounts.profile", user_id=lambda user: user.id)


class MemberWithSegment(Member):
    company = fields.Method("_company", allow_none=True)
    plan = fields.Method("_plan", allow_none=True)

    def _company(self, user):
        return user.company if can(caller(), Permission.VIEW_SEGMENT, user) else None

    def _plan(self, user):
        return (
            user.plan.slug if user.plan and can(caller(), Permission.VIEW_SEGMENT, user) else None
        )


class ProductArea(Schema):
    id = fields.Int()
    slug = fields.Str()
    name = fields.Str()
    description = fields.Str()


class Tag(Schema):
    name = fields.Str()


class Comment(Schema):
    id = fields.Int()
    review_state = fields.Str(
        allow_none=True,
        metadata={"description": "null when everyone sees it; pending or hidden otherwise"},
    )
    body = fields.Str(metadata={"description": "Plain text"})
    author = fields.Nested(Member, allow_none=True)
    created_at = When()


class Answer(Schema):
    id = fields.Int()
    review_state = fields.Str(
        allow_none=True,
        metadata={"description": "null when everyone sees it; pending or hidden otherwise"},
    )
    question_id = fields.Int()
    body = fields.Str(metadata={"description": "Markdown, as written"})
    body_html = fields.Str(metadata={"description": "The body as sanitised HTML"})
    author = fields.Nested(Member, allow_none=True)
    score = fields.Int(attribute="display_score")
    is_accepted = fields.Bool()
    created_at = When()
    edited_at = When(allow_none=True)
    comments = fields.List(fields.Nested(Comment))


class QuestionSummary(Schema):
    id = fields.Int()
    review_state = fields.Str(
        allow_none=True,
        metadata={"description": "null when everyone sees it; pending or hidden otherwise"},
    )
    title = fields.Str()
    url = _link("support.question", question_id=lambda q: q.id, slug=lambda q: q.slug)
    product_area = fields.Nested(ProductArea)
    tags = fields.Pluck(Tag, "name", many=True)
    author = fields.Nested(Member, allow_none=True)
    score = fields.Int(attribute="display_score")
    answer_count = fields.Int()
    is_solved = fields.Bool()
    is_closed = fields.Function(lambda q: q.closed_at is not None)
    created_at = When()
    last_activity_at = When()


class Question(QuestionSummary):
    body = fields.Str(metadata={"description": "Markdown, as written"})
    body_html = fields.Str(metadata={"description": "The body as sanitised HTML"})
    duplicate_of_id = fields.Int(allow_none=True)
    comments = fields.List(fields.Nested(Comment))
    answers = fields.List(fields.Nested(Answer))


class IdeaSummary(Schema):
    id = fields.Int()
    review_state = fields.Str(
        allow_none=True,
        metadata={"description": "null when everyone sees it; pending or hidden otherwise"},
    )
    title = fields.Str()
    url = _link("ideas.idea", idea_id=lambda idea: idea.id)
    status = fields.Function(
        lambda idea: idea_look(idea).value,
        metadata={"description": "The status's value, as `/statuses` lists it"},
    )
    status_label = fields.Function(lambda idea: idea_look(idea).name)
    status_kind = fields.Function(
        lambda idea: idea_look(idea).kind.value,
        metadata={"description": "What the status does: new, under_review, planned, ..."},
    )
    product_area = fields.Nested(ProductArea, allow_none=True)
    author = fields.Nested(Member, allow_none=True)
    votes = fields.Function(lambda idea: idea.vote_count + idea.imported_votes)
    comment_count = fields.Int()
    created_at = When()
    status_changed_at = When()


class Idea(IdeaSummary):
    body = fields.Str(metadata={"description": "Markdown, as written"})
    body_html = fields.Str(metadata={"description": "The body as sanitised HTML"})
    merged_into_id = fields.Int(allow_none=True)


class Status(Schema):
    value = fields.Str(metadata={"description": "What `status` says of an idea, and accepts"})
    label = fields.Str(attribute="name")
    kind = fields.Str(metadata={"description": "One of the fixed kinds, which decide behaviour"})
    colour = fields.Str()
    takes_votes = fields.Bool()


class SearchHit(Schema):
    type = fields.Str(metadata={"description": "question, idea, event, poll, changelog or badge"})
    id = fields.Int()
    title = fields.Str()
    url = fields.Function(lambda hit: _absolute(hit.url), metadata={"format": "uri"})
    tags = fields.List(fields.Str())
    area = fields.Str(allow_none=True)
    status = fields.Str(allow_none=True)
    solved = fields.Bool()
    votes = fields.Int()


class SearchResults(Schema):
    items = fields.List(fields.Nested(SearchHit), attribute="hits")
    total = fields.Int()
    page = fields.Int()
    pages = fields.Int()
    searched_instead = fields.Str(
        allow_none=True,
        metadata={"description": "Nothing matched the words as typed: these words were searched"},
    )


class Notification(Schema):
    id = fields.Int()
    kind = fields.Str()
    title = fields.Str()
    note = fields.Str(allow_none=True)
    url = fields.Function(lambda notice: _absolute(notice.url), metadata={"format": "uri"})
    created_at = When()
    read_at = When(allow_none=True)


class InsightsPanel(Schema):
    key = fields.Str()
    title = fields.Str()
    description = fields.Str()
    since = fields.Date()
    until = fields.Date()
    columns = fields.List(fields.Str())
    rows = fields.List(
        fields.List(fields.Raw(allow_none=True)),
        metadata={"description": "One list per row, a value per column: text or a number"},
    )


class Problem(Schema):
    """RFC 9457 problem details; a problem may carry members of its own (`scope`)."""

    class Meta:
        unknown = INCLUDE

    type = fields.Str()
    title = fields.Str()
    status = fields.Int()
    detail = fields.Str()
    error = fields.Str(metadata={"description": "The detail again, for older scripts"})
    errors = fields.Dict(
        keys=fields.Str(),
        values=fields.List(fields.Str()),
        metadata={"description": "What is wrong with each field, for a request that was refused"},
    )
