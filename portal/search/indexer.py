"""Apply the search_change log to the index, and rebuild the index from the database.

Changes are applied after the commit that wrote them, in id order, with repeats coalesced. The
index folder records the last change id applied; applying a change twice is harmless (documents
are replaced by key), so a crash between the index commit and that record loses nothing. Only one
writer at a time: when Whoosh's lock is busy the work is deferred, never dropped, and the next
caller applies it.
"""

import math
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from whoosh.index import LockError
from whoosh.reading import SegmentReader

from portal.clock import utcnow
from portal.extensions import db
from portal.search.documents import SOURCES, doc_key
from portal.search.embedding import availability
from portal.search.index import (
    CURRENT,
    EXCERPT_CHARS,
    IndexOutdated,
    check_schema,
    index_damage,
    live_index_dir,
    make_live,
    new_index_dir,
    open_index,
    read_last_change_id,
    remove_stale_indexes,
    search_dir,
    write_last_change_id,
)
from portal.search.models import SearchChange
from portal.search.vectors import (
    SEMANTIC_TYPES,
    remove_vectors_except,
    store_vectors,
    vector_count,
)

BATCH = 500
LOCK_TIMEOUT = 2.0
PARALLEL_REBUILD_FROM = 20_000  # documents
# A segment's files stay separate: Whoosh opens a compound segment file by copying its postings
# into memory (a BytesIO over the mapped file), 430 MB per searcher at 400,000 posts, for every
# thread's searcher; separate files are read where they lie.
SEGMENT_FILES = {"compound": False}
# Each indexing batch commits a segment, and a search reads every segment, so each one left
# makes searches slower. Whoosh merges at a commit only once about five tiny ones have
# gathered, so the worker merges the rest a size at a time (a power of ten of documents):
# three segments of a size become one, and a document is merged again about once a size, not
# at every merge. Larger segments (a rebuild's) wait for the next rebuild.
MERGE_AT = 3
MERGE_BELOW = 10_000  # documents


@dataclass
class SyncResult:
    applied: int = 0  # changes consumed from the log
    documents: int = 0  # documents written or deleted
    deferred: bool = False  # the index was locked by another writer
    last_change_id: int = 0


def pending_changes(after_id: int, limit: int, until: int | None = None) -> list[SearchChange]:
    """Changes after `after_id` (and up to `until`) that are safe to apply, in id order.

    On PostgreSQL a transaction can commit a higher id before a slower one commits a lower id.
    At the first gap in the ids, stop, unless the gap is older than the grace period (then it is
    an id that a rolled-back transaction used, which will never appear).
    """
    query = db.select(SearchChange).where(SearchChange.id > after_id)
    if until is not None:
        query = query.where(SearchChange.id <= until)
    changes = list(db.session.scalars(query.order_by(SearchChange.id).limit(limit)))
    grace = timedelta(seconds=current_app.config["SEARCH_GAP_GRACE_SECONDS"])
    expected = after_id + 1
    for position, change in enumerate(changes):
        if change.id != expected and utcnow() - change.created_at < grace:
            return changes[:position]
        expected = change.id + 1
    return changes


def latest_change_id() -> int:
    return db.session.execute(db.select(db.func.max(SearchChange.id))).scalar() or 0


def apply_pending(max_batches: int | None = None, lock_timeout: float = LOCK_TIMEOUT) -> SyncResult:
    """Apply every change after the index's last applied id (in batches), up to the latest
    one when it starts: what commits meanwhile waits for the next call, so the indexing
    thread's gap between batches holds."""
    until = latest_change_id()
    if until == 0 and not (search_dir() / CURRENT).exists():
        db.session.rollback()
        return SyncResult()  # nothing was ever written: do not even create an index
    path = live_index_dir()
    result = SyncResult(last_change_id=read_last_change_id(path))
    batches = 0
    while max_batches is None or batches < max_batches:
        changes = pending_changes(result.last_change_id, BATCH, until)
        if not changes:
            break
        try:
            written = _apply_batch(path, changes, lock_timeout)
        except LockError:
            result.deferred = True
            break
        result.applied += len(changes)
        result.documents += written
        result.last_change_id = changes[-1].id
        batches += 1
    db.session.rollback()  # end the read transaction; nothing was written to the database
    return result


def _apply_batch(path, changes: list[SearchChange], lock_timeout: float) -> int:
    latest: dict[tuple[str, int], str] = {}
    for change in changes:  # coalesce: the last action for a document wins
        latest[(change.doc_type, change.doc_id)] = change.action
    _add_parents(latest)
    ix = open_index(path)
    check_schema(ix)
    writer = ix.writer(timeout=lock_timeout, **SEGMENT_FILES)
    try:
        # Under the lock: skip what another writer applied meanwhile, and read the rows now,
        # so a slower writer can never overwrite newer documents with older ones.
        if read_last_change_id(path) >= changes[-1].id:
            writer.cancel()
            return 0
        documents = _load_documents(latest)
        _store_vectors(documents)
        for (doc_type, doc_id), document in documents.items():
            if document is None:
                writer.delete_by_term("key", doc_key(doc_type, doc_id))
            else:
                writer.update_document(**document)
        writer.commit()
    except BaseException:
        if not writer.is_closed:
            writer.cancel()
        raise
    finally:
        ix.close()
    write_last_change_id(path, changes[-1].id)
    return len(documents)


def segments_to_merge(sizes: list[int]) -> set[int]:
    """Which segments to merge now (their positions), given each one's documents."""
    levels = {
        position: int(math.log10(max(size, 1)))
        for position, size in enumerate(sizes)
        if size < MERGE_BELOW
    }
    crowded = {level for level, count in Counter(levels.values()).items() if count >= MERGE_AT}
    return {position for position, level in levels.items() if level in crowded}


def _merge_crowded(merged: list[int]):
    """Whoosh's merge policy hook: it adds the segments due to `writer`'s new segment, counts
    them in `merged` and returns the ones kept as they are."""

    def policy(writer, segments: list) -> list:
        chosen = segments_to_merge([segment.doc_count() for segment in segments])
        for position in sorted(chosen):
            reader = SegmentReader(writer.storage, writer.schema, segments[position])
            writer.add_reader(reader)  # its live documents: deleted ones are dropped
            reader.close()
        merged.append(len(chosen))
        return [segment for position, segment in enumerate(segments) if position not in chosen]

    return policy


def segment_sizes(path: Path) -> list[int]:
    """The live documents of each segment of the index at `path`."""
    ix = open_index(path)
    try:
        with ix.reader() as reader:
            return [leaf.doc_count() for leaf, _offset in reader.leaf_readers()]
    finally:
        ix.close()


def merge_segments(lock_timeout: float = 0) -> int:
    """Merge the small segments that indexing batches left, when some are due (see MERGE_AT),
    and say how many were merged: 0 when none were due or another writer held the index (a
    later round tries again). A damaged or outdated index is left to a rebuild."""
    if not (search_dir() / CURRENT).exists():
        return 0
    path = live_index_dir()
    try:
        due = segments_to_merge(segment_sizes(path))
    except Exception:  # damaged files (Whoosh raises assorted errors): see index_damage
        return 0
    if not due or index_damage(path) is not None:
        return 0
    ix = open_index(path)
    merged: list[int] = []
    try:
        check_schema(ix)
        writer = ix.writer(timeout=lock_timeout, **SEGMENT_FILES)
        try:
            writer.commit(mergetype=_merge_crowded(merged))
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise
    except (LockError, IndexOutdated):
        return 0
    finally:
        ix.close()
    if sum(merged):
        current_app.logger.info("Search index: merged %s small segments", sum(merged))
    return sum(merged)


def _store_vectors(documents: dict[tuple[str, int], dict | None], bulk: bool = False) -> None:
    """The documents' vectors, committed before the index is (see portal.search.vectors).
    A model that fails leaves the word match working: the log says so, and `flask search
    status` counts the documents without a vector."""
    try:
        store_vectors(documents, bulk=bulk)
        db.session.commit()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("Could not embed %s search documents", len(documents))


def _add_parents(latest: dict[tuple[str, int], str]) -> None:
    """A change to a part (an answer) also refreshes the document that embeds it (its question)."""
    by_type: dict[str, list[int]] = {}
    for doc_type, doc_id in latest:
        by_type.setdefault(doc_type, []).append(doc_id)
    for doc_type, ids in by_type.items():
        source = SOURCES.get(doc_type)
        if source is not None and source.parents is not None:
            for parent in source.parents(ids):
                latest.setdefault(parent, "upsert")


def _load_documents(latest: dict[tuple[str, int], str]) -> dict[tuple[str, int], dict | None]:
    by_type: dict[str, list[int]] = {}
    for (doc_type, doc_id), action in latest.items():
        if action == "upsert" and doc_type in SOURCES:
            by_type.setdefault(doc_type, []).append(doc_id)
    loaded: dict[tuple[str, int], dict | None] = dict.fromkeys(latest)
    for doc_type, ids in by_type.items():
        for doc_id, document in SOURCES[doc_type].load(ids).items():
            loaded[(doc_type, doc_id)] = _with_key(doc_type, doc_id, document)
    return loaded


def _with_key(doc_type: str, doc_id: int, document: dict | None) -> dict | None:
    if document is None:
        return None
    spell = f"{document.get('title', '')} {(document.get('tag') or '').replace(',', ' ')}"
    # A source may say where its own text ends (a question's, before its answers' texts).
    lead = document.get("excerpt") or document.get("body") or ""
    return {
        "key": doc_key(doc_type, doc_id),
        "type": doc_type,
        "doc_id": doc_id,
        "spell": spell,
        **document,
        "excerpt": lead[:EXCERPT_CHARS],
    }


@dataclass
class RebuildResult:
    documents: int
    seconds: float
    last_change_id: int

    @property
    def per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else float(self.documents)


def _rebuild_writer_options(documents: int) -> dict:
    """Large rebuilds analyse documents in SEARCH_REBUILD_PROCS worker processes, each writing
    its own segment (multisegment: no final merge); small ones are not worth the forks."""
    procs = current_app.config["SEARCH_REBUILD_PROCS"] or min(os.cpu_count() or 1, 2)
    if procs > 1 and documents >= PARALLEL_REBUILD_FROM:
        return {"procs": procs, "limitmb": 256, "multisegment": True, **SEGMENT_FILES}
    return {"limitmb": 256, **SEGMENT_FILES}


def rebuild(progress: Callable[[int], None] | None = None, batch: int = 1000) -> RebuildResult:
    """Build a fresh index beside the live one from the database, then swap it in atomically.

    The new index starts at the change id seen before reading, so changes written during the
    rebuild are applied to it afterwards by the normal sync.
    """
    started = time.perf_counter()
    start_change_id = latest_change_id()
    path = new_index_dir()
    ix = open_index(path)
    writer = ix.writer(**_rebuild_writer_options(sum(s.count() for s in SOURCES.values())))
    count = 0
    written: list[tuple[str, int]] = []
    try:
        for doc_type, source in SOURCES.items():
            for ids in source.all_ids(batch):
                documents = {}
                for doc_id, document in source.load(ids).items():
                    document = _with_key(doc_type, doc_id, document)
                    if document is not None:
                        writer.add_document(**document)
                        documents[(doc_type, doc_id)] = document
                        count += 1
                _store_vectors(documents, bulk=True)
                written += documents
                if progress:
                    progress(len(ids))
                db.session.expire_all()
        writer.commit()
    except BaseException:
        writer.cancel()
        ix.close()
        raise
    ix.close()
    remove_vectors_except(written)
    db.session.commit()
    write_last_change_id(path, start_change_id)
    make_live(path)
    remove_stale_indexes(keep=path)
    db.session.rollback()
    current_app.logger.info("Search index rebuilt: %s documents", count)
    return RebuildResult(count, time.perf_counter() - started, start_change_id)


def index_status() -> dict:
    """What the live index holds; `damage` says what is wrong with its files (None if sound),
    and then `documents` is None."""
    path = live_index_dir()
    damage, documents, embeddable, segments = index_damage(path), None, None, None
    if damage is None:
        ix = open_index(path)
        try:
            documents = ix.doc_count()
            with ix.searcher() as searcher:
                embeddable = sum(searcher.doc_frequency("type", t) for t in SEMANTIC_TYPES)
                segments = len(searcher.reader().leaf_readers())
        finally:
            ix.close()
    last = read_last_change_id(path)
    pending = db.session.execute(
        db.select(db.func.count(SearchChange.id)).where(SearchChange.id > last)
    ).scalar_one()
    db.session.rollback()
    return {
        "documents": documents,
        "segments": segments,
        "last_change_id": last,
        "pending": pending,
        "path": str(path),
        "damage": damage,
        "semantic": availability(),
        "vectors": vector_count(),
        "embeddable": embeddable,  # documents that should have a vector
    }
