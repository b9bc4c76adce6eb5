"""Whoosh's private names, in one place: postings, field lengths and sort columns read straight
from a segment's files a block or a column at a time, and BM25F's per-field B, for
portal/search/ranking.py.

What is read here is the on-disk layout and the private attributes of the Whoosh version pinned
in requirements.txt (Whoosh-Reloaded 2.7.5). Under any other version AVAILABLE is False, nothing
private is imported, and ranking leaves every query to Whoosh's public search (slower, same
results). tests/search/test_whoosh_internals.py holds these readers to Whoosh's public API on a
plain index.
"""

import warnings
from itertools import accumulate

import numpy as np
import whoosh
from whoosh.matching.wrappers import FilterMatcher

PINNED = (2, 7, 5)
AVAILABLE = whoosh.__version__ == PINNED
if AVAILABLE:
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
    from whoosh.columns import NumericColumn
else:
    warnings.warn(
        f"Whoosh {whoosh.versionstring()} is not the pinned {'.'.join(map(str, PINNED))}: "
        "searches are ranked by Whoosh itself, which is slower.",
        RuntimeWarning,
        stacklevel=1,
    )


def postings_blocks(reader, fieldname: str, text, values: bool = False):
    """One term's postings in a segment, deleted documents included, a block at a time:
    (document numbers in the segment, their weights, or with `values` their encoded
    positions)."""
    try:
        matcher = reader.postings(fieldname, text)
    except Exception:  # TermNotFound, or a field this segment does not have
        return
    if isinstance(matcher, FilterMatcher):  # the reader's deletion filter: masked later
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):  # a posting or two, kept inline in the term index
        while matcher.is_active():
            yield [matcher.id()], [matcher.value() if values else matcher.weight()]
            matcher.next()
        return
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        ids = list(accumulate(matcher._data[0]))  # delta coded within a block
        if values:
            matcher._read_values()
            yield ids, matcher._values
        else:
            matcher._read_weights()
            yield ids, matcher._weights
        matcher._next_block()


def length_bytes(reader, fieldname: str) -> np.ndarray:
    """Every document's length in `fieldname` in a segment as Whoosh stores it: a byte,
    log-scaled (`whoosh.util.numeric.byte_to_length` decodes it)."""
    doccount = reader.doc_count_all()
    column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    raw = np.zeros(doccount, dtype=np.uint8)
    if column is not None and column._count:
        stored = column._dbfile.get(column._basepos, column._count)
        raw[: column._count] = np.frombuffer(stored, dtype=np.uint8)[:doccount]
    return raw


def numeric_column(reader, fieldname: str) -> np.ndarray:
    """A sortable numeric column's values in a segment, in document order (for sorting only)."""
    column = reader.column_reader(fieldname, translate=False)
    doccount = reader.doc_count_all()
    if not isinstance(column, NumericColumn.Reader):  # e.g. a segment without the column
        return np.array([column[n] for n in range(doccount)], dtype=np.float64)
    dtype = np.dtype(">" + column._typecode)
    values = np.full(doccount, column._default, dtype=dtype)
    if column._count:
        stored = column._dbfile.get(column._basepos, column._count * dtype.itemsize)
        values[: column._count] = np.frombuffer(stored, dtype=dtype)[:doccount]
    return values.astype(np.float64)


def field_b(weighting, fieldname: str) -> float:
    """BM25F's B for `fieldname` (given as `<fieldname>_B=`), else its B for every field."""
    return weighting._field_B.get(fieldname, weighting.B)
