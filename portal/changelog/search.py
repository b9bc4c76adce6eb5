"""Search documents for changelog entries (all public): found under "Changelog"."""

from portal.changelog.models import ChangelogEntry
from portal.extensions import db
from portal.markdown import html_to_text
from portal.search.documents import (
    DocumentSource,
    documents_in_order,
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


def all_entry_ids(batch: int):
    last = 0
    while True:
        query = (
            db.select(ChangelogEntry.id)
            .where(ChangelogEntry.id > last)
            .order_by(ChangelogEntry.id)
            .limit(batch)
        )
        ids = list(db.session.scalars(query))
        if not ids:
            return
        yield ids
        last = ids[-1]


def count_entries() -> int:
    return db.session.execute(db.select(db.func.count(ChangelogEntry.id))).scalar_one()


def entries_titled_like(words: list[str], limit: int) -> list[int]:
    return list(
        db.session.scalars(
            db.select(ChangelogEntry.id)
            .where(*(ChangelogEntry.title.icontains(word, autoescape=True) for word in words))
            .order_by(ChangelogEntry.id.desc())
            .limit(limit)
        )
    )


register_source(
    DocumentSource(
        "changelog",
        entry_documents,
        all_entry_ids,
        count_entries,
        titles_like=entries_titled_like,
    ),
    listed="Changelog",
)
