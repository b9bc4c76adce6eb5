from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import utcnow
from portal.extensions import db


class SearchChange(db.Model):
    """One document to (re)index or delete; the indexer applies these in id order after commit."""

    __tablename__ = "search_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(20))
    doc_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(10), default="upsert")  # upsert | delete
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
