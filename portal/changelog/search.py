"""Search documents for changelog entries (all public): found under "Changelog"."""

from portal.changelog.models import ChangelogEntry
from portal.extensions import db
from portal.markdown import html_to_text
from portal.search.documents import (
    DocumentSource,
    documents_in_order,
    id_batches,
    newest_titled,
    register_source,
    url_builder,
)


def entry_documents(ids: list[int]) -> dict[int, dict | None]:
    rows = db.session.execute(
        db.select(
            ChangelogEntry.id,
            ChangelogEntry.title,
            ChangelogEntry.body_html,
            ChangelogEntry.published_at,
        ).where(ChangelogEntry.id.in_(ids))
    )
    build = url_builder()

    def document(entry) -> dict:
        return {
            "title": entry.title,
            "body": html_to_text(entry.body_html),
            "solved": False,
            "created": entry.published_at,
            "votes": 0,
            "url": build("changelog.entry", {"entry_id": entry.id}),
        }

    return documents_in_order(ids, rows, document)


def count_entries() -> int:
    return db.session.execute(db.select(db.func.count(ChangelogEntry.id))).scalar_one()


register_source(
    DocumentSource(
        "changelog",
        entry_documents,
        lambda batch: id_batches(ChangelogEntry.id, batch),
        count_entries,
        titles_like=lambda words, limit: newest_titled(
            ChangelogEntry.id, ChangelogEntry.title, words, limit
        ),
    ),
    listed="Changelog",
)
