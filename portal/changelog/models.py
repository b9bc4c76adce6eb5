from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db
from portal.ideas.models import Idea


class ChangelogEntry(db.Model):
    __tablename__ = "changelog_entries"
    __subject_type__ = "changelog"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)  # Markdown
    body_html: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Told when it was published (insights): the ideas' voters and followers, and the askers
    # of the questions linked to them.
    voters_told: Mapped[int] = mapped_column(default=0)
    askers_told: Mapped[int] = mapped_column(default=0)

    author: Mapped[User | None] = relationship()
    ideas: Mapped[list[Idea]] = relationship(secondary="changelog_ideas", order_by=Idea.id)


class ChangelogIdea(db.Model):
    __tablename__ = "changelog_ideas"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("changelog_entries.id", ondelete="CASCADE"), primary_key=True
    )
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True, index=True
    )
