"""Each indexing batch leaves a segment; the mail worker merges the small ones a size at a time,
so searches keep reading a few segments, and a merge changes no result."""

import pytest
from whoosh.qparser import QueryParser
from whoosh.query import Every

from portal.extensions import db
from portal.search import indexer
from portal.search.changes import record_search_change
from portal.search.index import live_index_dir, open_index, searchers
from portal.search.indexer import apply_pending, merge_segments, segment_sizes, segments_to_merge
from portal.taxonomy.models import ProductArea
from tests.search.test_damaged_index import DAMAGE
from tests.search.test_indexing import add_area


def index_in_batches(*batches: list[str]) -> None:
    """One indexing batch, so one segment, per list of area names."""
    for names in batches:
        for name in names:
            add_area(name, f"All about {name.lower()} and billing")
        db.session.commit()
        assert apply_pending().applied == len(names)


def ranked(text: str | None = None) -> list[tuple[str, float]]:
    """Every document `text` finds (all without it), best first, with its score."""
    with searchers().lend() as searcher:
        query = QueryParser("body", searcher.schema).parse(text) if text else Every()
        return [(hit["title"], round(hit.score, 6)) for hit in searcher.search(query, limit=None)]


@pytest.mark.parametrize(
    ("sizes", "due"),
    [
        ([], set()),
        ([500, 300], set()),  # two of a size wait for a third
        ([500, 300, 200], {0, 1, 2}),
        ([400_000, 500, 300, 5, 200, 3], {1, 2, 4}),  # the rebuild's segment is never merged
        ([9, 4, 1, 0, 350], {0, 1, 2, 3}),  # a segment left empty by deletions goes too
        ([40_000, 20_000, 15_000], set()),  # too large: left to a rebuild
        ([4, 5, 6, 70, 80, 90], {0, 1, 2, 3, 4, 5}),
    ],
)
def test_which_segments_are_due(sizes, due):
    assert segments_to_merge(sizes) == due


def test_the_worker_merges_small_segments_and_no_result_changes(runner, area_documents):
    index_in_batches(["Billing"], ["Mobile"], ["Reports"], ["Account"])
    assert segment_sizes(live_index_dir()) == [1, 1, 1, 1]
    before = ranked("billing")
    assert len(before) == 4

    result = runner.invoke(args=["mail", "send-queued"])

    assert result.exit_code == 0, result.output
    assert segment_sizes(live_index_dir()) == [4]
    assert ranked("billing") == before
    status = runner.invoke(args=["search", "status"])
    assert "Documents:        4" in status.output and "Segments:         1" in status.output


def delete_area(name: str) -> None:
    area = db.session.scalar(db.select(ProductArea).filter_by(name=name))
    db.session.delete(area)
    record_search_change("area", area.id)
    db.session.commit()
    apply_pending()


def test_a_segment_of_deleted_documents_is_sound(runner, area_documents):
    """Whoosh keeps a deleted document's postings until its segment is merged: a term whose
    every document is deleted is not damage."""
    index_in_batches(["Billing"], ["Mobile"])
    delete_area("Billing")
    assert segment_sizes(live_index_dir()) == [0, 1]
    status = runner.invoke(args=["search", "status"])
    assert status.exit_code == 0 and "State:            sound" in status.output, status.output
    assert "Documents:        1" in status.output


def test_larger_segments_are_left_and_deleted_documents_dropped(area_documents, monkeypatch):
    monkeypatch.setattr(indexer, "MERGE_BELOW", 5)
    index_in_batches(["Billing", "Mobile", "Reports", "Account", "Search"], ["Mail"], ["Wiki"])
    index_in_batches(["Chat"])
    delete_area("Chat")  # its segment holds no live document now
    assert sorted(segment_sizes(live_index_dir())) == [0, 1, 1, 5]

    assert merge_segments() == 3

    assert sorted(segment_sizes(live_index_dir())) == [2, 5]
    assert {title for title, _ in ranked()} == {
        "Billing", "Mobile", "Reports", "Account", "Search", "Mail", "Wiki"
    }  # fmt: skip
    assert merge_segments() == 0  # nothing more is due


def test_a_busy_index_waits_for_the_next_round(area_documents):
    index_in_batches(["Billing"], ["Mobile"], ["Reports"])
    holder = open_index().writer()  # the indexing thread writing a batch
    try:
        assert merge_segments() == 0
    finally:
        holder.cancel()
    assert segment_sizes(live_index_dir()) == [1, 1, 1]
    assert merge_segments() == 3
    assert segment_sizes(live_index_dir()) == [3]


def test_no_index_no_merge(app, tmp_path):
    app.config["SEARCH_DIR"] = str(tmp_path / "never-made")
    assert merge_segments() == 0
    assert not (tmp_path / "never-made" / "current").exists()


@pytest.mark.filterwarnings("ignore:unclosed file:ResourceWarning")  # Whoosh, on a bad TOC
@pytest.mark.parametrize("damage", DAMAGE, ids=lambda damage: damage.__name__)
def test_a_damaged_index_is_left_to_a_rebuild(runner, area_documents, damage):
    index_in_batches(["Billing"], ["Mobile"], ["Reports"])
    searchers().close()
    damage(live_index_dir())
    files = sorted(path.name for path in live_index_dir().iterdir())

    assert merge_segments() == 0
    assert runner.invoke(args=["mail", "send-queued"]).exit_code == 0  # the worker goes on

    assert sorted(path.name for path in live_index_dir().iterdir()) == files
