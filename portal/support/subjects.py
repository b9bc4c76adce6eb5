"""Support's posts as the subjects of notifications (portal/notifications/subjects.py): a
member is mailed about an answer or comment only while they may see it and its question."""

from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.notifications.subjects import Subject, register_subject
from portal.support.models import Answer, Comment, Question
from portal.support.queries import may_see


def _load(model, *options):
    def load(ids: list[int]) -> dict[int, object]:
        rows = db.session.scalars(db.select(model).options(*options).where(model.id.in_(ids)))
        return {row.id: row for row in rows}

    return load


def _answer_seen(answer: Answer, user) -> bool:
    return may_see(answer.question, user) and may_see(answer, user)


def _comment_seen(comment: Comment, user) -> bool:
    on = [comment.question] + ([comment.answer] if comment.answer_id else [])
    return all(may_see(post, user) for post in on) and may_see(comment, user)


register_subject("question", Subject(_load(Question), may_see))
register_subject("answer", Subject(_load(Answer, joinedload(Answer.question)), _answer_seen))
register_subject(
    "comment",
    Subject(
        _load(Comment, joinedload(Comment.question), joinedload(Comment.answer)), _comment_seen
    ),
)
