"""Record search changes in the caller's transaction, so the index can never miss a write."""

from flask import g, has_app_context

from portal.extensions import db
from portal.search.models import SearchChange


def record_search_change(doc_type: str, doc_id: int, action: str = "upsert") -> None:
    if action not in {"upsert", "delete"}:
        raise ValueError(f"unknown search change action {action!r}")
    db.session.add(SearchChange(doc_type=doc_type, doc_id=doc_id, action=action))
    if has_app_context():
        g.search_dirty = True
