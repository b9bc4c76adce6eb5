"""portal.search.ranking scores and counts exactly as Whoosh does, a postings list at a time."""

import random
from datetime import datetime, timedelta

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import qparser, query

from portal.search import ranking
from portal.search.index import make_schema
from portal.search.queries import Filters, _filter_query, _parser

TEXT = (
    "espresso grinder burr coarse fine roast beans water milk steam bike chain brake tire saddle "
    "derailleur gear wheel pump tubeless shop order refund export report sync"
)
WORDS = TEXT.split()

QUERIES = [
    "espresso",
    "bike",
    "espresso grinder",
    "brake tire",
    "coffee NOT espresso",
    "espresso NOT milk",
    "bike OR espresso",
    "title:espresso",
    "tag:brake",
    "(espresso OR bike) AND roast",
    "zzqx",
    '"espresso grinder"',
    '"brake tire"~3',
    '"bike chain" roast',
    '"grinder burr coarse"',
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    """An index of 600 posts in three segments, with replaced and deleted documents."""
    folder = tmp_path_factory.mktemp("ranking")
    ix = whoosh_index.create_in(str(folder), make_schema())
    chance = random.Random(7)
    started = datetime(2025, 1, 1)

    def post(n: int, revision: int = 0) -> dict:
        words = [chance.choice(WORDS) for _ in range(chance.randint(3, 80))]
        kind = "question" if n % 3 else "idea"
        return {
            "key": f"{kind}:{n}",
            "type": kind,
            "doc_id": n,
            "title": " ".join(chance.sample(WORDS, 4)) + (" coffee" if n % 5 == 0 else ""),
            "body": " ".join(words) + (" again" * revision),
            "tag": ",".join(chance.sample(WORDS, 2)),
            "area": chance.choice(["brewing", "cycling"]),
            "solved": n % 4 == 0,
            "created": started + timedelta(hours=chance.randint(0, 10_000)),
            "votes": chance.randint(0, 50),
        }

    for first in (0, 250, 500):  # three commits without merging: three segments
        writer = ix.writer()
        for n in range(first, first + (250 if first < 500 else 100)):
            writer.add_document(**post(n))
        writer.commit(merge=False)
    writer = ix.writer()
    for n in range(0, 600, 7):  # replaced: the old copies are deleted documents
        writer.update_document(**post(n, revision=1))
    for n in range(3, 600, 11):
        writer.delete_by_term("key", f"{'question' if n % 3 else 'idea'}:{n}")
    writer.commit(merge=False)
    searcher = ix.searcher()
    assert len(searcher.leaf_searchers()) >= 3
    assert any(reader.has_deletions() for reader, _ in ranking._leaves(searcher))
    yield searcher
    searcher.close()
    ix.close()


def _mask(searcher, filters: Filters):
    docs = searcher.docs_for_query(_filter_query(filters))
    return ranking.docs_mask(docs, searcher.doc_count_all())


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("filters", [Filters(), Filters(type="idea"), Filters(status="solved")])
def test_scores_order_and_total_equal_whoosh(searcher, text, filters):
    q = _parser(searcher.schema).parse(text)
    allowed = searcher.docs_for_query(_filter_query(filters))
    whoosh = searcher.search(q, limit=None, optimize=False, filter=set(allowed))
    ranked = ranking.rank(searcher, q, allow=_mask(searcher, filters), pagelen=1000)
    assert ranked is not None
    assert ranked.total == len(whoosh)
    assert len(whoosh) > 0 or text == "zzqx" or filters != Filters()  # not two empty lists
    assert [doc for _, doc in ranked.top] == [hit.docnum for hit in whoosh]
    assert [score for score, _ in ranked.top] == pytest.approx([hit.score for hit in whoosh])


def test_or_of_any_word_equals_whoosh(searcher):
    q = _parser(searcher.schema, group=qparser.OrGroup).parse("grinder refund zzqx")
    whoosh = searcher.search(q, limit=None, optimize=False)
    ranked = ranking.rank(searcher, q, pagelen=1000)
    assert [doc for _, doc in ranked.top] == [hit.docnum for hit in whoosh]


def test_similar_items_coordination_favours_documents_matching_more_words(searcher):
    """similar() asks for any of the typed words in title, text or tags, favouring documents
    that match more of them: Whoosh's coordination (an Or with a scale), computed from Whoosh's
    own scores and the number of terms each document really matches. (Whoosh's matcher counts
    too few terms for documents near the end of a segment; every matching term counts here.)"""
    words = ["espresso", "grinder", "zzqx", "refund"]
    terms = [query.Term(field, word) for word in words for field in ("title", "body", "tag")]
    plain = {h.docnum: h.score for h in searcher.search(query.Or(terms), limit=None)}
    matching = dict.fromkeys(plain, 0)
    for term in terms:
        for doc in searcher.docs_for_query(term):
            matching[doc] += 1
    present = 9  # every term but zzqx's three is in every segment
    expected = {
        doc: (score + (matching[doc] - 1) / (present - 0.9) ** 2) * ((present - 1) / present)
        for doc, score in plain.items()
    }
    ranked = ranking.rank(searcher, query.Or(terms, scale=0.9), pagelen=1000)
    assert ranked.total == len(expected) > 0
    assert {doc: score for score, doc in ranked.top} == pytest.approx(expected)
    best = sorted(expected, key=lambda doc: (-expected[doc], doc))
    assert [doc for _, doc in ranked.top] == best


def test_pages_follow_each_other_and_the_total_counts_every_match(searcher):
    q = _parser(searcher.schema).parse("espresso")
    every = ranking.rank(searcher, q, pagelen=1000)
    pages = [ranking.rank(searcher, q, page=n, pagelen=20) for n in (1, 2, 3)]
    assert every.total > 60
    assert all(page.total == every.total for page in pages)
    assert [doc for page in pages for _, doc in page.top] == [doc for _, doc in every.top[:60]]


def test_sorted_by_a_column_newest_first_then_by_score(searcher):
    q = _parser(searcher.schema).parse("bike")
    ranked = ranking.rank(searcher, q, sortedby="created", pagelen=1000)
    created = [searcher.stored_fields(doc)["created"] for _, doc in ranked.top]
    assert created == sorted(created, reverse=True)
    assert ranked.total == len(searcher.search(q, limit=None))


def test_what_it_does_not_rank_is_left_to_whoosh(searcher):
    assert ranking.rank(searcher, query.Prefix("body", "esp")) is None
    nested = query.Or([query.And([query.Term("body", "bike")])], scale=0.9)
    assert ranking.rank(searcher, nested) is None


def test_a_bounded_cache_keeps_the_newest_arrays():
    cache = ranking.SegmentCache(limit=3000)
    for n in range(5):
        cache.get(n, lambda: np.zeros(100))  # 800 bytes each
    assert cache.size <= 3000
    made = []
    cache.get(4, lambda: made.append(1) or np.zeros(100))
    cache.get(0, lambda: made.append(1) or np.zeros(100))
    assert made == [1]  # the newest was kept, the oldest was let go
