"""Support's posts in the review queue: questions, answers and comments (portal/moderation)."""

from flask import url_for
from sqlalchemy import func
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.moderation.kinds import FlaggableKind, register
from portal.moderation.trust import register_counter
from portal.support import services
from portal.support.links import question_path
from portal.support.models import Answer, Comment, Question


def _comment_question(comment: Comment) -> Question:
    return db.session.get(Question, comment.question_id)


def _answers(ids: list[int]) -> list[Answer]:
    return list(
        db.session.scalars(
            db.select(Answer).options(joinedload(Answer.question)).where(Answer.id.in_(ids))
        )
    )


def _comments(ids: list[int]) -> list[Comment]:
    """The comments, their questions in the session's identity map (`_comment_question`)."""
    comments = list(db.session.scalars(db.select(Comment).where(Comment.id.in_(ids))))
    question_ids = {comment.question_id for comment in comments}
    list(db.session.scalars(db.select(Question).where(Question.id.in_(question_ids))))
    return comments


def register_kinds() -> None:
    register(
        FlaggableKind(
            name="question",
            label="question",
            model=Question,
            url=question_path,
            title=lambda question: question.title,
            text=lambda question: f"{question.title}\n\n{question.body}",
            set_review_state=services.set_review_state,
            delete=services.delete_post,
            announce=services.announce_question,
            edit_url=lambda question: url_for("support.edit_question", question_id=question.id),
        )
    )
    register(
        FlaggableKind(
            name="answer",
            label="answer",
            model=Answer,
            url=lambda answer: question_path(answer.question, f"answer-{answer.id}"),
            title=lambda answer: answer.question.title,
            text=lambda answer: answer.body,
            set_review_state=services.set_review_state,
            delete=services.delete_post,
            announce=services.announce_answer,
            edit_url=lambda answer: url_for("support.edit_answer", answer_id=answer.id),
            load_many=_answers,
        )
    )
    register(
        FlaggableKind(
            name="comment",
            label="comment",
            model=Comment,
            url=lambda comment: question_path(_comment_question(comment), f"comment-{comment.id}"),
            title=lambda comment: _comment_question(comment).title,
            text=lambda comment: comment.body,
            set_review_state=services.set_comment_review_state,
            delete=lambda comment, moderator: services.delete_comment(comment, moderator),
            announce=services.announce_comment,
            load_many=_comments,
        )
    )

    register_counter("accepted_answers", _accepted_answers)


def _accepted_answers(user_id: int) -> int:
    return db.session.scalar(
        db.select(func.count())
        .select_from(Answer)
        .where(Answer.author_id == user_id, Answer.is_accepted, Answer.deleted_at.is_(None))
    )


register_kinds()
