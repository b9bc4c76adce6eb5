from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import utcnow
from portal.extensions import db


class BadgeAward(db.Model):
    """A badge a member earned: each badge once per member (the unique key makes sure)."""

    __tablename__ = "badge_awards"
    __table_args__ = (UniqueConstraint("user_id", "badge"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    badge: Mapped[str] = mapped_column(String(40), index=True)
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)


class BadgeCursor(db.Model):
    """How far in the activity log the worker has looked for badges earned (one row)."""

    __tablename__ = "badge_cursor"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_event_id: Mapped[int] = mapped_column(default=0)
