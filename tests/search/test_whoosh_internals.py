"""portal.search.whoosh_internals reads what Whoosh's public API gives, on a plain Whoosh index
(no portal): field lengths, postings, sort columns and BM25F's per-field B."""

import random

import pytest
from whoosh import index as whoosh_index
from whoosh import query
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from portal.search import ranking, whoosh_internals

WORDS = ["brake", "chain", "tire", "espresso", "grinder", "roast", "sync", "export", "order"]


@pytest.fixture
def readers(tmp_path):
    """Segment readers of an index with three segments, deletions, a word in nearly every
    document (its postings span several blocks) and one in a single document (kept inline)."""
    schema = Schema(
        key=ID(unique=True, stored=True),
        title=TEXT,
        body=TEXT(phrase=True),
        votes=NUMERIC(sortable=True),
    )
    ix = whoosh_index.create_in(str(tmp_path), schema)
    chance = random.Random(3)
    for first in (0, 300, 600):
        writer = ix.writer()
        for n in range(first, first + 300):
            body = [chance.choice(WORDS) for _ in range(chance.randint(0, 300))]
            writer.add_document(
                key=str(n),
                title=" ".join(chance.sample(WORDS, chance.randint(1, 4))),
                body=" ".join(["common", *body, "lonely" if n == 5 else ""]),
                votes=chance.randint(-5, 500),
            )
        writer.commit(merge=False)
    writer = ix.writer()
    for n in range(0, 900, 13):
        writer.delete_by_term("key", str(n))
    writer.commit(merge=False)
    with ix.searcher() as searcher:
        yield [sub.reader() for sub, _ in searcher.leaf_searchers()]
    ix.close()


def test_the_pinned_whoosh_is_installed():
    assert whoosh_internals.AVAILABLE, "requirements.txt pins the Whoosh these readers know"


@pytest.mark.parametrize("fieldname", ["title", "body"])
def test_field_lengths_are_whooshs(readers, fieldname):
    assert len(readers) == 3
    for reader in readers:
        stored = whoosh_internals.length_bytes(reader, fieldname)
        assert len(stored) == reader.doc_count_all()
        assert [byte_to_length(b) for b in stored] == [
            reader.doc_field_length(n, fieldname, 0) for n in range(reader.doc_count_all())
        ]


@pytest.mark.parametrize("word", [b"common", b"brake", b"lonely", b"absent"])
def test_postings_are_whooshs(readers, word):
    for reader in readers:
        ids, weights, values = [], [], []
        for block_ids, block_weights in whoosh_internals.postings_blocks(reader, "body", word):
            ids += block_ids
            weights += list(block_weights)
        for _, block_values in whoosh_internals.postings_blocks(reader, "body", word, True):
            values += list(block_values)
        expected = []
        if ("body", word) in reader:
            matcher = reader.postings("body", word)
            while matcher.is_active():
                expected.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
        read = zip(ids, weights, values, strict=True)
        # Deleted documents come too (ranking masks them), Whoosh's own postings skip them.
        assert [p for p in read if not reader.is_deleted(p[0])] == expected


def test_sort_columns_are_whooshs(readers):
    for reader in readers:
        column = reader.column_reader("votes", translate=False)
        expected = [column[n] for n in range(reader.doc_count_all())]
        assert whoosh_internals.numeric_column(reader, "votes").tolist() == expected


def test_bm25f_per_field_b_is_whooshs(readers):
    weighting = BM25F(B=0.6, title_B=0.3)
    searcher = Searcher(readers[0], weighting=weighting)
    for fieldname in ("title", "body"):
        scorer = weighting.scorer(searcher, fieldname, b"brake")
        assert whoosh_internals.field_b(weighting, fieldname) == scorer.B


def test_another_whoosh_leaves_ranking_to_whoosh(readers, monkeypatch):
    monkeypatch.setattr(whoosh_internals, "AVAILABLE", False)
    assert ranking.rank(Searcher(readers[0]), query.Term("body", "brake")) is None
