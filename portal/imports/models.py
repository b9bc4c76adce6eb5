from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class ImportedRecord(db.Model):
    """Which portal row a source row became: makes imports idempotent and keeps attribution
    (site, author name and licence) for every imported post."""

    __tablename__ = "imported_records"
    __table_args__ = (
        UniqueConstraint("site", "source_type", "source_id"),
        Index("ix_imported_records_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(100))  # e.g. bicycles.meta.stackexchange.com
    source_type: Mapped[str] = mapped_column(String(20))  # user | post
    source_id: Mapped[int]
    target_type: Mapped[str] = mapped_column(String(20))  # user | question | answer | idea ...
    target_id: Mapped[int]
    author_name: Mapped[str | None] = mapped_column(String(120))
    license: Mapped[str | None] = mapped_column(String(40))
    # For a question: the source id of its accepted answer (linked once answers are in).
    accepted_source_id: Mapped[int | None]
