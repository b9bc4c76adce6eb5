"""Attribution for imported posts (CC BY-SA asks for the site, the author and a link): core, as
support and ideas pages show it and imports/ writes it."""

from dataclasses import dataclass

from sqlalchemy import Index, String, UniqueConstraint, and_, or_
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


SOURCE_PATHS = {"question": "q", "answer": "a", "idea": "q", "idea_comment": "a"}


@dataclass(frozen=True)
class Attribution:
    site: str
    author: str | None
    license: str | None
    url: str


def attributions_for(targets: list[tuple[str, int]]) -> dict[tuple[str, int], Attribution]:
    """Attribution of each imported (kind, id) among `targets`, in one query."""
    if not targets:
        return {}
    by_kind: dict[str, list[int]] = {}
    for kind, target_id in targets:
        by_kind.setdefault(kind, []).append(target_id)
    condition = or_(
        *(
            and_(ImportedRecord.target_type == kind, ImportedRecord.target_id.in_(ids))
            for kind, ids in by_kind.items()
        )
    )
    records = db.session.scalars(db.select(ImportedRecord).where(condition))
    return {
        (record.target_type, record.target_id): Attribution(
            site=record.site,
            author=record.author_name,
            license=record.license or "CC BY-SA",
            url=f"https://{record.site}/{SOURCE_PATHS.get(record.target_type, 'q')}/"
            f"{record.source_id}",
        )
        for record in records
    }
