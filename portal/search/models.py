from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
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


class SearchQuery(db.Model):
    """Every search people ran, with how many results it found (insights: content gaps)."""

    __tablename__ = "search_queries"
    __table_args__ = (
        Index("ix_search_queries_created_at", "created_at"),
        Index("ix_search_queries_results_created_at", "results", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(200))
    results: Mapped[int]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(20), default="search")  # search | similar
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchVector(db.Model):
    """A document's sentence embedding, written by the indexer with the document.

    Stored as int8 (`vector`, 384 bytes) scaled to its largest component (`scale`). A row is
    replaced, never updated, and writers take turns (`take_turns`), so ids follow commit order
    and a process holding the vectors reads only rows above the highest id it has. A NULL
    `vector` says the document is gone.
    """

    __tablename__ = "search_vectors"
    __table_args__ = (UniqueConstraint("doc_type", "doc_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(20))
    doc_id: Mapped[int]
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)
    scale: Mapped[float] = mapped_column(default=0.0)
    # A digest of the text embedded: the same text is not embedded and written again.
    text_hash: Mapped[str | None] = mapped_column(String(32))
