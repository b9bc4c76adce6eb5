from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, func, select, text
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db

# Notification.mail_state once decided; "daily" or "weekly" while it waits for a digest.
MAILED, NOT_MAILED = "mailed", "not mailed"


class Notification(db.Model):
    """Something a person should hear about: an answer, a comment, a status change."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
        # The mail worker's queue: the few notifications it has not decided about yet.
        Index(
            "ix_notifications_mail_undecided",
            "id",
            sqlite_where=text("mail_state IS NULL"),
            postgresql_where=text("mail_state IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)  # e.g. the product team's public status note
    url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # Whether it went out by mail: None until the mail worker decides (portal/mail/notices.py),
    # then "mailed" or "not mailed" (the member's preference, no confirmed address...).
    mail_state: Mapped[str | None] = mapped_column(String(12))
    # What it is about ("answer", 12), a kind registered in subjects.py: what goes out later checks
    # that the member may still see it. None: nothing that could be hidden (a promotion).
    about_kind: Mapped[str | None] = mapped_column(String(20))
    about_id: Mapped[int | None]

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(db.Model):
    """How a member hears about one topic (preferences.py); none kept: the topic's default."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
    delivery: Mapped[str] = mapped_column(String(12))


class PendingNotification(db.Model):
    """Notifications to write for an audience too large for a request (every voter of an
    idea): the worker writes them after commit, one INSERT ... SELECT each (services.py)."""

    __tablename__ = "pending_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    audience: Mapped[str] = mapped_column(String(40))  # a name registered with @audience
    subject_id: Mapped[int]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    about_kind: Mapped[str | None] = mapped_column(String(20))
    about_id: Mapped[int | None]


# A member's unread notifications, for the header's badge on every page. Not loaded with a
# user unless asked for: the login loader asks (portal/accounts/auth.py), so the badge rides on
# the query that loads the member instead of costing a query of its own.
User.unread_notification_count = column_property(
    select(func.count())
    .where(Notification.user_id == User.id, Notification.read_at.is_(None))
    .correlate_except(Notification)
    .scalar_subquery(),
    deferred=True,
)
