"""Flags, the review queue and the moderation log."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db

# Why a member flags a post.
REASONS = {
    "spam": "Spam",
    "rude": "Rude or abusive",
    "off_topic": "Off-topic",
    "duplicate": "Duplicate",
    "moderator": "Needs a moderator",
}


class ReviewItem(db.Model):
    """A post waiting for a moderator: flagged, held as a new member's first post, suspected of
    spam, or appealed. At most one open item per post; a decision closes it."""

    __tablename__ = "review_items"
    __table_args__ = (
        Index(
            "uq_review_items_open_post",
            "kind",
            "post_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index("ix_review_items_open_opened_at", "closed_at", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # a registered flaggable kind
    post_id: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # flagged | held | spam | resubmitted (a hidden post edited) | appeal
    reason: Mapped[str] = mapped_column(String(20))
    flag_weight: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Why it was held, for the moderator: the spam filter's score and signals.
    detail: Mapped[str | None] = mapped_column(Text)
    # An appeal's words, from the post's author or the suspended member.
    appeal: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(String(20))  # approved | hidden | deleted

    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id], lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Flag(db.Model):
    """One member's report of one post; private to its flagger and the moderators."""

    __tablename__ = "flags"
    __table_args__ = (
        UniqueConstraint("kind", "post_id", "user_id", name="uq_flags_one_per_person"),
        Index("ix_flags_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    post_id: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    weight: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # open until a moderator decides: upheld (the post was hidden or deleted) or declined
    status: Mapped[str] = mapped_column(String(10), default="open")

    user: Mapped[User] = relationship(lazy="joined")


class ModerationLogEntry(db.Model):
    """Who did what to which post or person, when and why; for edits, before and after."""

    __tablename__ = "moderation_log"
    __table_args__ = (Index("ix_moderation_log_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str | None] = mapped_column(String(20))
    post_id: Mapped[int | None]
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")
    target_user: Mapped[User | None] = relationship(foreign_keys=[target_user_id], lazy="joined")


class Reviewable:
    """A post moderators may withhold: `review_state` is None while everyone may see it,
    "pending" while a new member's post waits for its first review, "hidden" after flags or a
    moderator hid it. A withheld post is seen by its author and the moderators alone."""

    review_state: Mapped[str | None] = mapped_column(String(8))

    @property
    def is_withheld(self) -> bool:
        return self.review_state is not None

    @property
    def is_pending(self) -> bool:
        return self.review_state == PENDING

    @property
    def is_hidden(self) -> bool:
        return self.review_state == HIDDEN


PENDING, HIDDEN = "pending", "hidden"
