"""Support's lists and page loaders: reading only (writes are in services.py)."""

from dataclasses import dataclass, field

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, and_, exists, literal, or_, true

from portal.accounts.permissions import Permission, can
from portal.attribution import attributions_for
from portal.extensions import db
from portal.markdown import excerpt
from portal.pagination import load_in_order
from portal.search.vectors import most_alike
from portal.support.models import (
    Answer,
    Comment,
    Question,
    Revision,
    Vote,
    question_slug,
    question_tags,
)
from portal.taxonomy.models import ProductArea, Tag

# Loading for views: a 404 for what the viewer may not see --------------------------------------


def gone(kind: str):
    abort(404, description=f"This {kind} was deleted.")


def _own(post, viewer) -> bool:
    return getattr(viewer, "is_authenticated", False) and post.author_id == viewer.id


def may_see(post, viewer) -> bool:
    """Deleted posts exist only for moderators; withheld ones (waiting for review, hidden)
    for moderators and their author."""
    if can(viewer, Permission.MODERATE):
        return True
    return not post.is_deleted and (not post.is_withheld or _own(post, viewer))


def get_question_or_404(question_id: int) -> Question:
    """The question, or a 404 page for a viewer who may not see it."""
    question = db.get_or_404(Question, question_id)
    if not may_see(question, current_user):
        gone("question")
    return question


def get_answer_or_404(answer_id: int) -> Answer:
    answer = db.get_or_404(Answer, answer_id)
    if not may_see(answer.question, current_user):
        gone("question")
    if not may_see(answer, current_user):
        gone("answer")
    return answer


def seen_by(model, viewer, moderator: bool):
    """The WHERE for the posts of `model` a viewer may see on a question page."""
    if moderator:
        return true()
    if getattr(viewer, "is_authenticated", False):
        return or_(model.live(), and_(model.deleted_at.is_(None), model.author_id == viewer.id))
    return model.live()


def withheld_authors(question_id: int) -> frozenset[int]:
    """Who wrote an answer or comment on the question that only they (and moderators) see:
    content kept for other viewers never suits them (see `post_page`)."""
    rows = db.session.execute(
        db.select(Answer.author_id)
        .where(Answer.question_id == question_id, Answer.review_state.is_not(None))
        .union(
            db.select(Comment.author_id).where(
                Comment.question_id == question_id, Comment.review_state.is_not(None)
            )
        )
    )
    return frozenset(author_id for (author_id,) in rows if author_id is not None)


def revisions_of(post) -> list[Revision]:
    column = Revision.question_id if isinstance(post, Question) else Revision.answer_id
    return list(
        db.session.scalars(
            db.select(Revision).where(column == post.id).order_by(Revision.id.desc())
        )
    )


# Views -----------------------------------------------------------------------------------------


def meta_description(question: Question, limit: int = 160) -> str:
    return excerpt(question.body_html, limit)


# Reading ---------------------------------------------------------------------------------------

TABS = {
    "newest": "Newest",
    "active": "Active",
    "unanswered": "Unanswered",
    "solved": "Solved",
}


def question_list(tab: str = "newest", *, area: ProductArea | None = None, tag: Tag | None = None):
    """The ids of a question list, in order (page it with `paginate_ids` and `load_questions`).

    Deleted questions never appear. Each tab's filter matches a partial index's WHERE (with
    literal values, which SQLite needs to use one), so a page walks an index range."""
    query = listed(db.select(Question.id), tab, area=area, tag=tag)
    order = Question.last_activity_at if tab == "active" else Question.created_at
    return query.order_by(order.desc(), Question.id.desc())


def listed(query: Select, tab: str = "newest", *, area=None, tag=None) -> Select:
    """`query` (of questions) narrowed to a list's: live, in the area, with the tag, and the
    tab's filter. Unordered: the site's lists and the API's cursor pages order it each."""
    query = query.where(Question.live())
    if area is not None:
        query = query.where(Question.product_area_id == area.id)
    if tag is not None:
        query = query.where(
            Question.id.in_(
                db.select(question_tags.c.question_id).where(question_tags.c.tag_id == tag.id)
            )
        )
    if tab == "unanswered":
        query = query.where(Question.answer_count == _literal(0), Question.closed_at.is_(None))
    elif tab == "solved":
        query = query.where(Question.is_solved == _literal(True))
    return query


def unanswered_queue(area: ProductArea | None = None):
    """Open questions nobody has answered, oldest first: the support team's to-do list (ids)."""
    query = db.select(Question.id).where(
        Question.live(),
        Question.closed_at.is_(None),
        Question.answer_count == _literal(0),
    )
    if area is not None:
        query = query.where(Question.product_area_id == area.id)
    return query.order_by(Question.created_at.asc(), Question.id.asc())


def load_questions(ids: list[int]) -> list[Question]:
    """The questions with these ids, in that order, with what a list row shows."""
    return load_in_order(db.select(Question), ids)


def _literal(value):
    """A value written into the SQL rather than bound, so a partial index's WHERE can match."""
    return literal(value, literal_execute=True)


def tag_by_name(name: str) -> Tag | None:
    return db.session.execute(db.select(Tag).where(Tag.name == name)).scalar_one_or_none()


@dataclass(frozen=True)
class RelatedQuestion:
    """What the "Related questions" list shows: a few columns, not a whole question."""

    id: int
    title: str
    answer_count: int
    is_solved: bool

    @property
    def slug(self) -> str:
        return question_slug(self.title)


@dataclass
class QuestionPage:
    """Everything the question page shows, loaded in a fixed number of statements."""

    question: Question
    answers: list[Answer]
    comments: dict  # (kind, id) -> [Comment]
    my_votes: dict  # (kind, id) -> 1 | -1
    duplicate_of: Question | None
    accepted: Answer | None
    related: list[RelatedQuestion]  # the most alike questions, then others in its area
    attributions: dict = field(default_factory=dict)  # (kind, id) -> Attribution (imported posts)


def load_question_page(question: Question, viewer, *, moderator: bool) -> QuestionPage:
    """What `viewer` may see of the question page: moderators everything, others what is
    live and what they wrote themselves (waiting for review, or hidden)."""
    query = db.select(Answer).where(
        Answer.question_id == question.id, seen_by(Answer, viewer, moderator)
    )
    answers = list(db.session.scalars(query))
    answers.sort(key=lambda a: (not a.is_accepted, -a.display_score, a.created_at, a.id))
    comments: dict = {}
    comment_query = db.select(Comment).where(
        Comment.question_id == question.id, seen_by(Comment, viewer, moderator)
    )
    for comment in db.session.scalars(comment_query.order_by(Comment.created_at, Comment.id)):
        key = ("answer", comment.answer_id) if comment.answer_id else ("question", question.id)
        comments.setdefault(key, []).append(comment)
    my_votes: dict = {}
    if getattr(viewer, "is_authenticated", False):
        answer_ids = [a.id for a in answers]
        rows = db.session.execute(
            db.select(Vote.question_id, Vote.answer_id, Vote.value).where(
                Vote.user_id == viewer.id,
                (Vote.question_id == question.id) | Vote.answer_id.in_(answer_ids),
            )
        )
        for question_id, answer_id, value in rows:
            key = ("question", question_id) if question_id else ("answer", answer_id)
            my_votes[key] = value
    duplicate_of = None
    if question.duplicate_of_id:
        duplicate_of = db.session.get(Question, question.duplicate_of_id)
    accepted = next((a for a in answers if a.is_accepted and not a.is_deleted), None)
    attributions = attributions_for(
        [("question", question.id)] + [("answer", a.id) for a in answers]
    )
    return QuestionPage(
        question,
        answers,
        comments,
        my_votes,
        duplicate_of,
        accepted,
        related_questions(question),
        attributions,
    )


def _votes_on_page(question_id: int, answer_ids: tuple[int, ...]):
    on_page = Vote.question_id == question_id
    if answer_ids:
        on_page = on_page | Vote.answer_id.in_(answer_ids)
    return on_page


def has_votes_on(user, question_id: int, answer_ids: tuple[int, ...]) -> bool:
    """Whether the person voted on the question or on any of these answers."""
    on_page = _votes_on_page(question_id, answer_ids)
    return bool(db.session.scalar(db.select(exists().where(Vote.user_id == user.id, on_page))))


def voters_on(question_id: int, answer_ids: tuple[int, ...]) -> Select:
    """Who voted on the question or on any of these answers (a query of user ids, once for
    each vote)."""
    return db.select(Vote.user_id).where(_votes_on_page(question_id, answer_ids))


RELATED_CANDIDATES = 30


def related_questions(question: Question, limit: int = 6) -> list[RelatedQuestion]:
    """The questions most like this one (by its stored vector: no model run, no word query),
    then other recently active ones in its product area, solved ones first, to fill the list.

    Only the most recently active few of the area are ranked (an index range), so the cost
    does not grow with the number of questions in the area."""
    alike = [doc_id for _, doc_id in most_alike(("question", question.id), ("question",), limit)]
    columns = (Question.id, Question.title, Question.answer_count, Question.is_solved)
    found = {}
    if alike:
        rows = db.session.execute(
            db.select(*columns).where(Question.id.in_(alike), Question.live())
        )
        found = {row.id: RelatedQuestion(*row) for row in rows}
    related = [found[i] for i in alike if i in found]
    if len(related) < limit:
        recent = db.session.execute(
            db.select(*columns)
            .where(
                Question.product_area_id == question.product_area_id,
                Question.id != question.id,
                Question.live(),
            )
            .order_by(Question.last_activity_at.desc())
            .limit(RELATED_CANDIDATES)
        )
        # A stable sort keeps the most recently active first within solved and unsolved.
        filling = sorted((RelatedQuestion(*row) for row in recent), key=lambda q: not q.is_solved)
        related += [q for q in filling if q.id not in found]
    return related[:limit]


def latest_questions(limit: int = 6) -> list[Question]:
    return list(
        db.session.scalars(
            db.select(Question)
            .where(Question.live())
            .order_by(Question.created_at.desc(), Question.id.desc())
            .limit(limit)
        )
    )
