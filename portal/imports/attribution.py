"""Attribution for imported posts (CC BY-SA asks for the site, the author and a link)."""

from dataclasses import dataclass

from sqlalchemy import and_, or_

from portal.extensions import db
from portal.imports.models import ImportedRecord

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
