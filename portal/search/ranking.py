"""Rank and count the searches people type, a whole postings list at a time.

Whoosh matches and scores one document at a time in Python: for a word searched in the title,
text and tags it steps a union of three postings lists document by document, about 15 µs a
match, so a common word matching 20,000 posts took 250 ms. Its top-N collector also undercounts
(once the page fills up it drops from the count the documents that could no longer make the
page), so totals and page counts were wrong for common words.

Here the same BM25F scores (Whoosh's formula, its idf and average field lengths) are computed
with numpy over each term's whole postings list, the query's AND / OR / NOT become set
operations on document numbers, and the total is exact. Postings, field lengths and sort
columns are read straight from Whoosh's segment files (portal/search/whoosh_internals.py;
segments never change once written, so what is read is kept per segment, within a memory
bound); deleted documents are masked per reader.

Term, Phrase, And, Or (without coordination) and Not are handled; anything else (ranges,
prefixes, fuzzy terms), or a Whoosh other than the pinned one, makes `rank` return None and the
caller lets Whoosh run the query. Tests compare every score with Whoosh's own.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh import query
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from portal.search import whoosh_internals

# Postings, lengths and columns kept across searches, per process: with the page caches, a
# worker stays under 200 MB (at 48 MB, workers peaked at 233 MB in bench/pages.py). At 24 MB,
# lengths kept as floats took 9.7 MB of it; as bytes they take 1.2, and postings keep the
# room they had.
CACHE_BYTES = 16 * 2**20
NOT_SCORE = 1.0
_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


class Unsupported(Exception):
    """The query has a part this module does not rank; Whoosh runs it instead."""


@dataclass
class Ranked:
    total: int
    top: list[tuple[float, int]]  # (score, global docnum), best first, for the page asked


class SegmentCache:
    """Arrays read from immutable segments, keyed by segment id, least recently used out
    first once CACHE_BYTES is reached."""

    def __init__(self, limit: int = CACHE_BYTES):
        self.limit = limit
        self.size = 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, make):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        for part in _parts(value):
            part.flags.writeable = False  # shared by every thread's searches
        with self._lock:
            if key not in self._items:
                self._items[key] = value
                self.size += _nbytes(value)
                while self.size > self.limit and len(self._items) > 1:
                    _, old = self._items.popitem(last=False)
                    self.size -= _nbytes(old)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = 0


def _parts(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def _nbytes(value) -> int:
    return sum(part.nbytes for part in _parts(value))


CACHE = SegmentCache()


def _read_postings(reader, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
    """Document numbers and weights of one term (compact while kept; Whoosh's weights are
    float32 already)."""
    ids: list = []
    weights: list = []
    for block_ids, block_weights in whoosh_internals.postings_blocks(reader, fieldname, text):
        ids.extend(block_ids)
        weights.extend(block_weights)
    return np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float32)


def _read_positions(reader, fieldname: str, text) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One term's document numbers, where each document's positions start in the flat positions
    array (one more entry than documents), and the positions."""
    decode = reader.schema[fieldname].format.decode_positions
    ids: list = []
    starts = [0]
    positions: list = []
    for block_ids, block_values in whoosh_internals.postings_blocks(
        reader, fieldname, text, values=True
    ):
        ids.extend(block_ids)
        for value in block_values:
            positions.extend(decode(value))
            starts.append(len(positions))
    return (
        np.array(ids, dtype=np.int32),
        np.array(starts, dtype=np.int64),
        np.array(positions, dtype=np.int32),
    )


class _Segment:
    """One segment of the searcher and what has been read of it."""

    def __init__(self, reader):
        self.reader = reader
        self.key = reader.segment().segment_id()  # never reused: segments are immutable
        deleted = reader.deleted_docs_set if reader.has_deletions() else ()
        self.deleted = np.fromiter(deleted, dtype=np.int64) if deleted else None

    def postings(self, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
        ids, weights = CACHE.get(
            (self.key, "postings", fieldname, text),
            lambda: _read_postings(self.reader, fieldname, text),
        )
        if self.deleted is not None and len(ids):
            live = ~np.isin(ids, self.deleted, assume_unique=True)
            ids, weights = ids[live], weights[live]
        return ids, weights

    def positions(self, fieldname: str, text) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return CACHE.get(
            (self.key, "positions", fieldname, text),
            lambda: _read_positions(self.reader, fieldname, text),
        )

    def has_term(self, term: query.Term) -> bool:
        """Whether the term is in this segment's dictionary (Whoosh counts those terms for
        coordination, deleted documents or not)."""
        return (term.fieldname, term.text) in self.reader

    def lengths(self, fieldname: str, ids: np.ndarray) -> np.ndarray:
        """The lengths in `fieldname` of documents `ids`."""
        stored = CACHE.get(
            (self.key, "lengths", fieldname),
            lambda: whoosh_internals.length_bytes(self.reader, fieldname),
        )
        return _BYTE_TO_LENGTH[stored[ids]]

    def column(self, fieldname: str) -> np.ndarray:
        return CACHE.get(
            (self.key, "column", fieldname),
            lambda: whoosh_internals.numeric_column(self.reader, fieldname),
        )


def _term_scores(searcher, segment: _Segment, term: query.Term) -> tuple[np.ndarray, np.ndarray]:
    field = searcher.schema[term.fieldname]
    text = field.to_bytes(term.text) if not isinstance(term.text, bytes) else term.text
    ids, weights = segment.postings(term.fieldname, text)
    weights = weights.astype(np.float64)
    if not field.scorable:
        scores = weights
    else:
        weighting = searcher.weighting
        b = whoosh_internals.field_b(weighting, term.fieldname)
        k1 = weighting.K1
        idf = searcher.idf(term.fieldname, term.text)
        average = searcher.avg_field_length(term.fieldname) or 1
        lengths = segment.lengths(term.fieldname, ids)
        scores = idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / average)))
    return ids, scores * term.boost


def _evaluate(searcher, segment: _Segment, q) -> tuple[np.ndarray, np.ndarray]:
    """(sorted unique segment docnums, their scores) matching `q`."""
    kind = type(q)  # exact types: And and Or have subclasses (Ordered, ...) ranked otherwise
    if kind is query.Every:  # filters alone: every live document, unscored
        ids = np.fromiter(segment.reader.all_doc_ids(), np.int64)
        return ids, np.zeros(len(ids))
    if kind is query.Term:
        return _term_scores(searcher, segment, q)
    if kind is query.AndNot:
        ids, scores = _evaluate(searcher, segment, q.a)
        excluded, _ = _evaluate(searcher, segment, q.b)
        keep = ~np.isin(ids, excluded, assume_unique=True)
        return ids[keep], scores[keep]
    if kind is query.Phrase:
        return _phrase(searcher, segment, q)
    if kind is query.Or and not q.minmatch:
        if q.scale and any(type(sub) is not query.Term for sub in q.subqueries):
            raise Unsupported("coordination over more than terms")
        parts = [_evaluate(searcher, segment, sub) for sub in q.subqueries]
        ids = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, np.int64)
        scores = np.concatenate([p[1] for p in parts]) if parts else np.empty(0)
        unique, where = np.unique(ids, return_inverse=True)
        summed = np.zeros(len(unique))
        np.add.at(summed, where, scores)
        summed *= q.boost
        if q.scale:
            matching = np.bincount(where, minlength=len(unique))
            present = sum(segment.has_term(sub) for sub in q.subqueries)
            summed = _coordinated(summed, matching, present, q.scale)
        return unique, summed
    if kind is query.And:
        wanted = [sub for sub in q.subqueries if not isinstance(sub, query.Not)]
        unwanted = [sub.query for sub in q.subqueries if isinstance(sub, query.Not)]
        if not wanted:
            raise Unsupported("only NOT")
        ids, scores = _evaluate(searcher, segment, wanted[0])
        for sub in wanted[1:]:
            other_ids, other_scores = _evaluate(searcher, segment, sub)
            both, mine, theirs = np.intersect1d(
                ids, other_ids, assume_unique=True, return_indices=True
            )
            ids, scores = both, scores[mine] + other_scores[theirs]
        for sub in unwanted:
            excluded, _ = _evaluate(searcher, segment, sub)
            keep = ~np.isin(ids, excluded, assume_unique=True)
            # Whoosh matches a NOT as "every other document", scoring 1 (same order, same scores)
            ids, scores = ids[keep], scores[keep] + NOT_SCORE
        return ids, scores * q.boost
    raise Unsupported(type(q).__name__)


def _coordinated(scores, matching, terms: int, scale: float):
    """Whoosh's coordination for an Or with `scale` (its CoordMatcher, the "SQR" of Apple's
    V-Twin): documents matching more of the `terms` present in the segment rank higher."""
    if terms == 0 or terms == scale:
        return np.zeros(len(scores))
    return (scores + (matching - 1) / (terms - scale) ** 2) * ((terms - 1) / terms)


POSITION_STRIDE = 2**32  # (document, position) pairs as one int64: document * stride + position


def _phrase(searcher, segment: _Segment, q: query.Phrase) -> tuple[np.ndarray, np.ndarray]:
    """Documents with the words in order, each within `slop` positions of the one before, scored
    as all the words together (as Whoosh's SpanNear2 does)."""
    if q.fieldname not in searcher.schema:
        raise Unsupported("phrase in an unknown field")
    field = searcher.schema[q.fieldname]
    if not field.format or not field.format.supports("positions"):
        raise Unsupported("phrase without positions")
    try:
        words = [field.to_bytes(word) for word in q.words]
    except ValueError:
        words = []
    if not words:
        return np.empty(0, np.int32), np.empty(0)
    ids, scores = _evaluate(
        searcher, segment, query.And([query.Term(q.fieldname, word) for word in words])
    )
    if len(words) < 2 or not len(ids):
        return ids, scores * q.boost
    ends = None  # (document, position) where the phrase so far ends
    for word in words:
        keys = _position_keys(segment, q.fieldname, word, ids)
        if ends is None:
            ends = keys
        else:
            follows = np.zeros(len(keys), dtype=bool)
            for distance in range(1, q.slop + 1):
                follows |= np.isin(keys - distance, ends)
            ends = keys[follows]
    keep = np.isin(ids, np.unique(ends // POSITION_STRIDE))
    return ids[keep], scores[keep] * q.boost


def _position_keys(segment: _Segment, fieldname: str, word, docs: np.ndarray) -> np.ndarray:
    """Every (document, position) of `word` in `docs` (which all contain it), as int64 keys."""
    ids, starts, positions = segment.positions(fieldname, word)
    where = np.searchsorted(ids, docs)
    counts = starts[where + 1] - starts[where]
    first = np.repeat(starts[where] - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
    picked = positions[first + np.arange(counts.sum())]
    return np.repeat(docs.astype(np.int64), counts) * POSITION_STRIDE + picked


def docs_mask(docnums, size: int) -> np.ndarray:
    """A boolean mask over `size` document numbers, True for `docnums`."""
    mask = np.zeros(size, dtype=bool)
    mask[np.fromiter(docnums, dtype=np.int64)] = True
    return mask


def rank(searcher, q, *, allow=None, sortedby: str | None = None, page: int = 1, pagelen: int = 20):
    """The page's (score, docnum) pairs and the exact total, or None when Whoosh must run `q`.

    Ties keep Whoosh's order: a higher score first, then the lower document number; sorted by a
    column, the higher value first, then the higher score.
    """
    if not whoosh_internals.AVAILABLE or not isinstance(searcher.weighting, BM25F):
        return None
    all_ids, all_scores, all_keys = [], [], []
    try:
        for reader, offset in _leaves(searcher):
            segment = _Segment(reader)
            ids, scores = _evaluate(searcher, segment, q)
            if allow is not None:
                keep = allow[ids + offset]
                ids, scores = ids[keep], scores[keep]
            all_ids.append(ids + offset)
            all_scores.append(scores)
            if sortedby:
                all_keys.append(segment.column(sortedby)[ids])
    except Unsupported:
        return None
    ids = np.concatenate(all_ids) if all_ids else np.empty(0, np.int64)
    scores = np.concatenate(all_scores) if all_scores else np.empty(0)
    if sortedby:
        keys = np.concatenate(all_keys) if all_keys else np.empty(0)
        order = np.lexsort((ids, -scores, -keys))
    else:
        order = np.lexsort((ids, -scores))
    start = (page - 1) * pagelen
    chosen = order[start : start + pagelen]
    return Ranked(total=len(ids), top=[(float(scores[i]), int(ids[i])) for i in chosen])


def _leaves(searcher):
    """(segment reader, first global docnum) for every segment of the searcher."""
    leaves = [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()]
    return [(reader, offset) for reader, offset in leaves if reader.segment() is not None]
