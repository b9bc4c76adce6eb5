"""Questions, answers, comments, votes and revisions.

Counters (score, answer_count, comment_count, view_count) are denormalised for fast lists and
changed only in SQL (`n = n + :delta`) in the transaction that writes the row they count;
`flask support recount` recomputes them from the rows. One accepted answer per question is a
partial unique index on answers(question_id) WHERE is_accepted (SQLite and PostgreSQL).
"""

from datetime import datetime

from slugify import slugify
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db
from portal.moderation.models import Reviewable
from portal.taxonomy.models import ProductArea, Tag


def question_slug(title: str) -> str:
    """The readable part of a question's URL."""
    return slugify(title, max_length=80, word_boundary=True) or "question"


# What everyone may see: not deleted, not withheld by moderation. The list indexes are partial
# on it, and queries write the same terms (`live()`) so that they use them.
LIVE = "deleted_at IS NULL AND review_state IS NULL"


def _where(condition: str) -> dict:
    """The WHERE of a partial index, on both databases."""
    return {"sqlite_where": text(condition), "postgresql_where": text(condition)}


question_tags = Table(
    "question_tags",
    db.metadata,
    Column("question_id", ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class Question(Reviewable, db.Model):
    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_created_at", "created_at"),
        Index("ix_questions_last_activity_at", "last_activity_at"),
        Index("ix_questions_area_created_at", "product_area_id", "created_at"),
        Index("ix_questions_area_last_activity_at", "product_area_id", "last_activity_at"),
        # An area's questions by id alone (insights join a period's answers to them).
        Index("ix_questions_area_id", "product_area_id", "id"),
        # The question list's tabs: each a partial index in the list's order, so a page (even
        # page 500) and the count walk an index range. question_list() writes the same WHERE.
        Index("ix_questions_live_created_at", "created_at", "id", **_where(LIVE)),
        Index(
            "ix_questions_live_last_activity_at",
            "last_activity_at",
            "id",
            **_where(LIVE),
        ),
        Index(
            "ix_questions_unanswered_created_at",
            "created_at",
            "id",
            **_where(f"{LIVE} AND closed_at IS NULL AND answer_count = 0"),
        ),
        Index(
            "ix_questions_solved_created_at",
            "created_at",
            "id",
            sqlite_where=text(f"{LIVE} AND is_solved = 1"),
            postgresql_where=text(f"{LIVE} AND is_solved = true"),
        ),
        # Insights' support health: a period's questions with their answer times, read from
        # the index alone.
        Index(
            "ix_questions_live_answer_times",
            "created_at",
            "product_area_id",
            "author_id",
            "closed_at",
            "first_answer_at",
            "solved_at",
            **_where(LIVE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    product_area_id: Mapped[int] = mapped_column(ForeignKey("product_areas.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    score: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Score carried over from an import (e.g. Stack Exchange); real votes add to it.
    imported_score: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    answer_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    comment_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    view_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Has an accepted answer. Kept like the counters: set in the transaction that accepts or
    # un-accepts (deleting the accepted answer un-accepts it); `flask support recount` checks it.
    # Stored so the Solved list is an index range, not a lookup per question.
    is_solved: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # When the first live answer came and when the accepted one was accepted: written only by
    # database triggers on answers (portal/insights/rollups.py), for insights' support health.
    first_answer_at: Mapped[datetime | None]
    solved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="SET NULL")
    )
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # One-time token from the ask form: a double-submitted form finds the question it made.
    form_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")
    product_area: Mapped[ProductArea] = relationship(lazy="joined")
    tags: Mapped[list[Tag]] = relationship(
        secondary=question_tags, lazy="selectin", order_by=Tag.name
    )

    @property
    def slug(self) -> str:
        return question_slug(self.title)

    @property
    def display_score(self) -> int:
        return self.imported_score + self.score

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @classmethod
    def live(cls):
        """The SQL for "everyone may see it" (see LIVE)."""
        return and_(cls.deleted_at.is_(None), cls.review_state.is_(None))

    def __repr__(self) -> str:
        return f"<Question {self.id}>"


class Answer(Reviewable, db.Model):
    __tablename__ = "answers"
    __table_args__ = (
        Index(
            "uq_answers_one_accepted_per_question",
            "question_id",
            unique=True,
            sqlite_where=text("is_accepted"),
            postgresql_where=text("is_accepted"),
        ),
        # Insights: answers posted in a period, by author, from the index alone.
        Index(
            "ix_answers_live_created_at",
            "created_at",
            "author_id",
            "question_id",
            "is_accepted",
            **_where(LIVE),
        ),
        # Insights' support health: each question's first and accepted answer times, read
        # from the index alone.
        Index(
            "ix_answers_question_times",
            "question_id",
            "created_at",
            "deleted_at",
            "is_accepted",
            "accepted_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    score: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    imported_score: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    comment_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    is_accepted: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    question: Mapped[Question] = relationship(lazy="select")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id], lazy="joined")

    @property
    def display_score(self) -> int:
        return self.imported_score + self.score

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @classmethod
    def live(cls):
        """The SQL for "everyone may see it" (see LIVE)."""
        return and_(cls.deleted_at.is_(None), cls.review_state.is_(None))

    @property
    def accepted_by_team(self) -> bool:
        """Accepted by staff on the asker's behalf (shown as such)."""
        question_author = self.question.author_id if self.question else None
        return self.accepted_by_id is not None and self.accepted_by_id != question_author

    def __repr__(self) -> str:
        return f"<Answer {self.id} on {self.question_id}>"


class Comment(Reviewable, db.Model):
    """A short remark on a question (answer_id NULL) or on one of its answers."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answers.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")
    question: Mapped[Question] = relationship(lazy="select")
    answer: Mapped[Answer | None] = relationship(lazy="select")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @classmethod
    def live(cls):
        """The SQL for "everyone may see it" (see LIVE)."""
        return and_(cls.deleted_at.is_(None), cls.review_state.is_(None))


class Vote(db.Model):
    """One person's up (+1) or down (-1) vote on a question or an answer."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("user_id", "question_id", name="uq_votes_user_id_question_id"),
        UniqueConstraint("user_id", "answer_id", name="uq_votes_user_id_answer_id"),
        CheckConstraint("value IN (-1, 1)", name="value_is_up_or_down"),
        CheckConstraint(
            "(question_id IS NULL) <> (answer_id IS NULL)", name="on_question_or_answer"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answers.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Revision(db.Model):
    """The text of a post before an edit (the current text lives on the post itself)."""

    __tablename__ = "revisions"
    __table_args__ = (
        CheckConstraint(
            "(question_id IS NULL) <> (answer_id IS NULL)", name="of_question_or_answer"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answers.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    tags: Mapped[str | None] = mapped_column(String(200))
    written_at: Mapped[datetime]  # when this version was written (created or last edited)
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")
