from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db

EVERYONE, AREA, PLAN, COMPANY = "everyone", "area", "plan", "company"


class Announcement(db.Model):
    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)  # Markdown
    body_html: Mapped[str] = mapped_column(Text)
    # Who it is for, and who may read its page: everyone, or a product area's watchers
    # (public too), or a plan's or a company's members (and the team).
    audience: Mapped[str] = mapped_column(String(12))
    audience_id: Mapped[int | None]  # the area or plan
    audience_company: Mapped[str | None] = mapped_column(String(120))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    author: Mapped[User | None] = relationship()
