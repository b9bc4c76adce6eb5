"""A search document source over product areas: real rows in a real table, for testing the
indexing machinery itself (questions and ideas have their own sources and tests)."""

from portal.extensions import db
from portal.search.documents import DocumentSource
from portal.taxonomy.models import ProductArea

FAIL_NEXT_LOAD = {"count": 0}


def load(ids: list[int]) -> dict[int, dict | None]:
    if FAIL_NEXT_LOAD["count"]:
        FAIL_NEXT_LOAD["count"] -= 1
        raise RuntimeError("simulated crash while indexing")
    rows = {
        a.id: a for a in db.session.scalars(db.select(ProductArea).where(ProductArea.id.in_(ids)))
    }
    return {
        area_id: (
            {
                "title": rows[area_id].name,
                "body": rows[area_id].description,
                "area": rows[area_id].slug,
                "created": rows[area_id].created_at,
                "votes": 0,
                "url": f"/areas/{rows[area_id].slug}",
            }
            if area_id in rows
            else None
        )
        for area_id in ids
    }


def all_ids(batch: int):
    ids = list(db.session.scalars(db.select(ProductArea.id).order_by(ProductArea.id)))
    for start in range(0, len(ids), batch):
        yield ids[start : start + batch]


def count() -> int:
    return db.session.execute(db.select(db.func.count(ProductArea.id))).scalar_one()


AREA_SOURCE = DocumentSource("area", load, all_ids, count)
