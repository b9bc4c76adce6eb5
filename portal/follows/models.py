from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, exists
from sqlalchemy.orm import Mapped, column_property, mapped_column

from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db

WATCHING, NORMAL, MUTED = "watching", "normal", "muted"


class Follow(db.Model):
    """One member's level for one thing they follow; none kept: normal."""

    __tablename__ = "follows"
    __table_args__ = (
        # Audiences: who watches (or muted) this area, tag or question.
        Index("ix_follows_target", "target_kind", "target_id", "level"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    target_kind: Mapped[str] = mapped_column(String(12), primary_key=True)  # a registered target
    target_id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(8))  # WATCHING or MUTED
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# Whether a member follows anything at all: loaded with the member on every request
# (portal/accounts/auth.py), so a page that shows their level for a question asks for it only
# when there is one to find.
User.follows_anything = column_property(
    exists().where(Follow.user_id == User.id).correlate_except(Follow), deferred=True
)
