"""Recompute every support counter, the solved flags and all reputation from the rows, and
report any drift.

Counters are kept in SQL in the same transaction as the rows they count, so drift should never
happen; this is the check (and the repair, should a bug or a manual edit ever cause it).
"""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import case, func, literal, update

from portal.accounts.models import User
from portal.extensions import db
from portal.support.models import Answer, Comment, Question, Vote
from portal.support.services import (
    REPUTATION_FOR_DOWNVOTE,
    REPUTATION_FOR_UPVOTE,
    _acceptance_reputation,
)


@dataclass
class Drift:
    table: str
    row_id: int
    column: str
    stored: int
    counted: int

    def __str__(self) -> str:
        return (
            f"{self.table} {self.row_id} {self.column}: stored {self.stored}, "
            f"counted {self.counted}"
        )


def _sums(query) -> dict:
    return {key: int(value or 0) for key, value in db.session.execute(query)}


def _expected_reputation() -> dict[int, int]:
    reputation: dict[int, int] = defaultdict(int)
    for model, column, kind in (
        (Question, Vote.question_id, "question"),
        (Answer, Vote.answer_id, "answer"),
    ):
        points = case((Vote.value > 0, REPUTATION_FOR_UPVOTE[kind]), else_=REPUTATION_FOR_DOWNVOTE)
        rows = db.session.execute(
            db.select(model.author_id, func.sum(points))
            .join(Vote, column == model.id)
            .where(model.author_id.is_not(None))
            .group_by(model.author_id)
        )
        for author_id, total in rows:
            reputation[author_id] += int(total)
    accepted = db.session.execute(
        db.select(Answer.author_id, Answer.accepted_by_id).where(Answer.is_accepted)
    )
    for author_id, accepter_id in accepted:
        for user_id, gain in _acceptance_reputation(author_id, accepter_id).items():
            reputation[user_id] += gain
    return reputation


def recount(*, fix: bool = True) -> list[Drift]:
    """Compare stored counters with counts of the rows; with fix=True also correct them."""
    drifts: list[Drift] = []
    question_scores = _sums(
        db.select(Vote.question_id, func.sum(Vote.value))
        .where(Vote.question_id.is_not(None))
        .group_by(Vote.question_id)
    )
    answer_scores = _sums(
        db.select(Vote.answer_id, func.sum(Vote.value))
        .where(Vote.answer_id.is_not(None))
        .group_by(Vote.answer_id)
    )
    answer_counts = _sums(
        db.select(Answer.question_id, func.count())
        .where(Answer.live())
        .group_by(Answer.question_id)
    )
    question_comments = _sums(
        db.select(Comment.question_id, func.count())
        .where(Comment.answer_id.is_(None), Comment.live())
        .group_by(Comment.question_id)
    )
    answer_comments = _sums(
        db.select(Comment.answer_id, func.count())
        .where(Comment.answer_id.is_not(None), Comment.live())
        .group_by(Comment.answer_id)
    )
    solved = _sums(
        db.select(Answer.question_id, literal(1))
        .where(Answer.is_accepted, Answer.live())
        .distinct()
    )
    expected = {
        Question: {
            "is_solved": solved,
            "score": question_scores,
            "answer_count": answer_counts,
            "comment_count": question_comments,
        },
        Answer: {"score": answer_scores, "comment_count": answer_comments},
    }
    for model, columns in expected.items():
        names = list(columns)
        rows = db.session.execute(
            db.select(model.id, *(getattr(model, n) for n in names)).order_by(model.id)
        )
        for row_id, *stored in rows:
            for name, value in zip(names, stored, strict=True):
                counted = columns[name].get(row_id, 0)
                if int(value) != counted:
                    drifts.append(Drift(model.__tablename__, row_id, name, int(value), counted))
    reputation = _expected_reputation()
    for user_id, stored in db.session.execute(db.select(User.id, User.reputation)):
        counted = reputation.get(user_id, 0)
        if stored != counted:
            drifts.append(Drift("users", user_id, "reputation", stored, counted))
    if fix:
        _apply(drifts)
    return drifts


def _apply(drifts: list[Drift]) -> None:
    models = {"questions": Question, "answers": Answer, "users": User}
    for drift in drifts:
        model = models[drift.table]
        db.session.execute(
            update(model)
            .where(model.id == drift.row_id)
            .values({drift.column: drift.counted})
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
