"""A damaged index on disk: searches are answered (titles from the database, with a notice),
the index is rebuilt once in the background, and `flask search status` says it is corrupt."""

import logging
import os
import threading
from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage

from portal.search.index import live_index_dir, search_dir, searchers
from portal.search.indexer import rebuild
from portal.search.queries import REPAIR_NOTICE
from portal.search.repair import REPAIR_LOCK, index_repair
from tests.factories import make_idea, make_question

# Whoosh leaves a table of contents it could not read open (whoosh.index.TOC.read): the file
# is closed when the failed read is freed, with a ResourceWarning.
pytestmark = pytest.mark.filterwarnings("ignore:unclosed file:ResourceWarning")


@pytest.fixture(autouse=True)
def _close_searchers(app):
    yield
    index_repair().wait(30)
    searchers().close()


@pytest.fixture
def indexed(app):
    make_question(title="Invoices show the wrong currency", body="Dollars instead of euros.")
    make_question(title="Export invoices to PDF", body="For our accountant.")
    make_idea(title="Invoices in the customer's currency", body="Euros for Europe.")
    rebuild()
    searchers().close()  # every search below opens the files on disk afresh
    return live_index_dir()


def garble_toc(index: Path) -> None:
    (toc,) = index.glob("_MAIN_*.toc")
    toc.write_bytes(b"garbage" * 10)


def remove_terms(index: Path) -> None:
    for terms in index.glob("*.trm"):
        terms.unlink()


def truncate_postings(index: Path) -> None:
    for postings in index.glob("*.pst"):
        os.truncate(postings, 10)


DAMAGE = [garble_toc, remove_terms, truncate_postings]


def rebuilt(caplog) -> int:
    return sum(r.getMessage().startswith("Search index rebuilt") for r in caplog.records)


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_a_damaged_index_is_searched_in_titles_and_rebuilt_once(client, indexed, damage, caplog):
    caplog.set_level(logging.INFO)
    damage(indexed)
    response = client.get("/search", query_string={"q": "invoices currency"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert REPAIR_NOTICE in page
    assert "Invoices show the wrong currency" in page
    assert "Invoices in the customer&#39;s currency" in page
    assert "Export invoices to PDF" not in page  # every word must be in the title
    similar = client.get("/search/similar", query_string={"q": "invoices currency"})
    assert similar.status_code == 200
    index_repair().wait(30)
    assert rebuilt(caplog) == 1
    assert live_index_dir() != indexed
    page = client.get("/search", query_string={"q": "accountant"}).get_data(as_text=True)
    assert REPAIR_NOTICE not in page and "Export invoices to PDF" in page  # a word of its text
    assert len(client.get("/search/similar", query_string={"q": "invoices currency"}).json) == 3


def test_status_says_the_index_is_corrupt(runner, indexed):
    garble_toc(indexed)
    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 1
    assert "State:            corrupt (IndexError: Index was created on different" in result.output
    rebuild()
    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 0 and "State:            sound" in result.output
    assert "Documents:        3" in result.output


def test_requests_during_a_rebuild_start_no_other(client, indexed, caplog):
    """Another worker holds the repair lock (it is rebuilding): this process waits for it,
    serves titles meanwhile, then finds the index sound and rebuilds nothing itself."""
    caplog.set_level(logging.INFO)
    other_worker = FileStorage(str(search_dir())).lock(REPAIR_LOCK)
    assert other_worker.acquire(blocking=False)
    garble_toc(indexed)
    pages = []

    def search() -> None:
        pages.append(client.get("/search", query_string={"q": "invoices"}).get_data(as_text=True))

    threads = [threading.Thread(target=search) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(pages) == 3 and all(REPAIR_NOTICE in page for page in pages)
    assert index_repair().under_way()
    rebuild()  # the other worker's rebuild
    other_worker.release()
    index_repair().wait(30)
    assert rebuilt(caplog) == 1  # the other worker's only
    assert REPAIR_NOTICE not in client.get("/search?q=invoices").get_data(as_text=True)


def test_an_error_on_a_sound_index_is_not_hidden(app, indexed, monkeypatch):
    """A fault of ours is not mistaken for damage: it is raised, and nothing is rebuilt."""
    from portal.search import queries

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(queries, "_search", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        queries.search("invoices", queries.Filters())
    assert not index_repair().under_way()
