"""Where search documents come from. Each feature registers a DocumentSource for its doc type.

A source turns ids into index documents (a dict of schema fields, or None when the row is gone,
deleted or must not be found) and lists every id for a rebuild.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from portal.extensions import db


@dataclass(frozen=True)
class DocumentSource:
    doc_type: str
    load: Callable[[list[int]], dict[int, dict | None]]
    all_ids: Callable[[int], Iterator[list[int]]]  # batch size -> batches of ids
    count: Callable[[], int]  # how many rows all_ids will go through (for progress)
    # Documents that embed these (an answer's text is part of its question's document).
    parents: Callable[[list[int]], list[tuple[str, int]]] | None = None
    # (words, limit) -> ids of the newest rows whose title holds every word: what the search
    # page shows from the database while a damaged index is rebuilt.
    titles_like: Callable[[list[str], int], list[int]] | None = None


SOURCES: dict[str, DocumentSource] = {}
# What the search page lists, with the label of its type filter: questions and ideas, then the
# types features add (events, polls).
LISTED: dict[str, str] = {"question": "Questions", "idea": "Ideas"}
TYPES = LISTED.keys()  # a live view: the types registered so far


def register_source(source: DocumentSource, *, listed: str | None = None) -> DocumentSource:
    """`listed`: the search page lists this type under that label (an answer is not listed:
    it rolls up into its question's document)."""
    SOURCES[source.doc_type] = source
    if listed:
        LISTED[source.doc_type] = listed
    return source


def doc_key(doc_type: str, doc_id: int) -> str:
    return f"{doc_type}:{doc_id}"


def documents_in_order(ids: list[int], rows, make: Callable) -> dict[int, dict | None]:
    """`make(row)` for the row of each id, None for an id without a row (gone, deleted or not
    searchable: the indexer then removes its document)."""
    found = {row.id: row for row in rows}
    return {doc_id: make(found[doc_id]) if doc_id in found else None for doc_id in ids}


def url_builder() -> Callable[[str, dict], str]:
    """Builds site-relative URLs without a request (the indexer runs after the response); made
    once per batch of documents: binding the URL map costs more than building a URL."""
    return current_app.url_map.bind("localhost").build


def id_batches(id_column, batch: int, *where) -> Iterator[list[int]]:
    """Every id of a table that meets `where`, in order, `batch` at a time (a source's
    `all_ids`)."""
    last = 0
    while True:
        query = select(id_column).where(id_column > last, *where).order_by(id_column).limit(batch)
        ids = list(db.session.scalars(query))
        if not ids:
            return
        yield ids
        last = ids[-1]


def newest_titled(id_column, title_column, words: list[str], limit: int, *where) -> list[int]:
    """The newest ids whose title holds every word (a source's `titles_like`)."""
    holds = (title_column.icontains(word, autoescape=True) for word in words)
    query = select(id_column).where(*where, *holds).order_by(id_column.desc()).limit(limit)
    return list(db.session.scalars(query))
