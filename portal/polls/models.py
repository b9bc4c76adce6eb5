from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db

AFTER_VOTING, AFTER_CLOSE = "voted", "closed"
RESULTS_AFTER = {AFTER_VOTING: "After voting", AFTER_CLOSE: "When the poll closes"}
# What a poll may be attached to (each registered as a notification subject, which says who
# may see it): the poll is seen by whoever may see its post.
SUBJECT_KINDS = ("question", "idea", "announcement", "event")


class Poll(db.Model):
    __tablename__ = "polls"
    __table_args__ = (Index("ix_polls_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    multiple: Mapped[bool] = mapped_column(default=False)  # several answers per ballot
    results_after: Mapped[str] = mapped_column(String(10), default=AFTER_VOTING)
    closes_at: Mapped[datetime | None]  # UTC; None: open until the team closes it
    subject_type: Mapped[str | None] = mapped_column(String(20))  # None: a poll on its own
    subject_id: Mapped[int | None]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    author: Mapped[User | None] = relationship()
    options: Mapped[list["PollOption"]] = relationship(
        order_by="PollOption.position", cascade="all, delete-orphan", back_populates="poll"
    )

    def is_closed(self, now: datetime | None = None) -> bool:
        return self.closes_at is not None and self.closes_at <= (now or utcnow())


class PollOption(db.Model):
    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int]

    poll: Mapped[Poll] = relationship(back_populates="options")


class PollVote(db.Model):
    """One answer of a member's ballot: a ballot is all of a member's rows on a poll (one for a
    single-choice poll). The unique key keeps a member from counting twice for an answer."""

    __tablename__ = "poll_votes"
    __table_args__ = (UniqueConstraint("poll_id", "user_id", "option_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    option_id: Mapped[int] = mapped_column(
        ForeignKey("poll_options.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
