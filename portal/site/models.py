from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import utcnow
from portal.extensions import db

DEFAULT_COMMUNITY_NAME = "Community"
DEFAULT_TAGLINE = "Ask questions, share ideas and help each other."
DEFAULT_PRIMARY_COLOR = "#2457c5"


class SiteSettings(db.Model):
    """A single row (id 1) the admins edit; pages fall back to safe defaults without it."""

    __tablename__ = "site_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_name: Mapped[str] = mapped_column(String(80), default=DEFAULT_COMMUNITY_NAME)
    tagline: Mapped[str] = mapped_column(String(200), default=DEFAULT_TAGLINE)
    primary_color: Mapped[str] = mapped_column(String(7), default=DEFAULT_PRIMARY_COLOR)
    logo_filename: Mapped[str | None] = mapped_column(String(100))
    guidelines_markdown: Mapped[str] = mapped_column(Text, default="")
    guidelines_html: Mapped[str] = mapped_column(Text, default="")
    guidelines_updated_at: Mapped[datetime | None]
    guidelines_updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # Members who accepted the guidelines before this accept them again at their next visit.
    guidelines_accept_again_since: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
