"""The index is a derived view of the database: indexed after commit, absent after rollback,
never losing a change to a crash or a busy lock, and rebuildable from scratch."""

import multiprocessing
import threading
import time

import pytest
from whoosh.query import Every, Term

from portal.extensions import db
from portal.search.changes import record_search_change
from portal.search.documents import SOURCES
from portal.search.index import SearcherCache, live_index_dir, open_index, searchers
from portal.search.indexer import apply_pending, index_status, pending_changes, rebuild
from portal.search.models import SearchChange
from portal.taxonomy.models import ProductArea
from tests.search import area_source, eventually

# Tests turn the after-response indexing off unless they are about it (it costs every test).
AFTER_RESPONSE_SYNC = {"SEARCH_SYNC_AFTER_REQUEST": True}


def add_area(name: str, description: str = "") -> int:
    area = ProductArea(name=name, slug=name.lower().replace(" ", "-"), description=description)
    db.session.add(area)
    db.session.flush()
    record_search_change("area", area.id)
    return area.id


def indexed_titles() -> set[str]:
    with searchers().lend() as searcher:
        return {hit["title"] for hit in searcher.search(Every(), limit=None)}


def test_indexed_after_commit_absent_after_rollback(area_documents):
    add_area("Billing", "Invoices and refunds")
    db.session.commit()
    add_area("Ghost", "never committed")
    db.session.rollback()
    result = apply_pending()
    assert result.applied == 1
    assert indexed_titles() == {"Billing"}


def test_edits_and_deletes_show_up(area_documents):
    area_id = add_area("Billing", "Invoices")
    db.session.commit()
    apply_pending()
    area = db.session.get(ProductArea, area_id)
    area.name = "Payments"
    record_search_change("area", area_id)
    db.session.commit()
    apply_pending()
    assert indexed_titles() == {"Payments"}
    db.session.delete(area)
    record_search_change("area", area_id, "delete")
    db.session.commit()
    apply_pending()
    assert indexed_titles() == set()


def test_repeated_changes_are_coalesced(area_documents):
    area_id = add_area("Billing")
    for _ in range(5):
        record_search_change("area", area_id)
    db.session.commit()
    result = apply_pending()
    assert (result.applied, result.documents) == (6, 1)


@pytest.mark.parametrize("app_config", [AFTER_RESPONSE_SYNC])
def test_a_write_request_is_searchable_soon_after_its_response(app, client, area_documents):
    @app.post("/test-add-area")
    def add_area_view():
        add_area("Integrations", "Slack and Zapier")
        db.session.commit()
        return "ok"

    assert client.post("/test-add-area").status_code == 200
    eventually(lambda: indexed_titles() == {"Integrations"})


# A gap long enough that the three posts always come within it, even on a busy machine.
@pytest.mark.parametrize("app_config", [{**AFTER_RESPONSE_SYNC, "SEARCH_SYNC_MIN_SECONDS": 2.0}])
def test_a_burst_of_writes_is_indexed_in_one_later_batch(app, client, area_documents):
    """The first write is applied just after its response; the next ones, coming within the
    gap, wait for it to end and go in one batch."""
    names = iter(["Billing", "Payments", "Refunds"])

    @app.post("/test-add-area")
    def add_area_view():
        add_area(next(names))
        db.session.commit()
        return "ok"

    started = time.monotonic()
    assert client.post("/test-add-area").status_code == 200
    eventually(lambda: "Billing" in indexed_titles())
    for _ in range(2):
        assert client.post("/test-add-area").status_code == 200
    assert indexed_titles() == {"Billing"}  # the gap has not ended yet
    eventually(lambda: indexed_titles() == {"Billing", "Payments", "Refunds"})
    assert time.monotonic() - started >= 2.0
    # The thread notes the last change it applied just after its commit shows the documents.
    eventually(lambda: index_status()["pending"] == 0)


def test_a_change_committed_during_a_sync_waits_for_the_next(area_documents, monkeypatch):
    """A sync applies what was pending when it began; a later commit waits for the next sync,
    which is what keeps the indexing thread's gap between batches."""
    import portal.search.indexer as indexer

    billing_id = add_area("Billing")
    db.session.commit()
    load = indexer._load_documents

    def load_then_commit_elsewhere(latest):
        documents = load(latest)
        if ("area", billing_id) in latest:
            with db.engine.begin() as connection:  # another request's commit, meanwhile
                area = connection.execute(
                    db.insert(ProductArea).values(name="Payments", slug="payments", description="")
                )
                connection.execute(
                    db.insert(SearchChange).values(
                        doc_type="area", doc_id=area.inserted_primary_key[0], action="upsert"
                    )
                )
        return documents

    monkeypatch.setattr(indexer, "_load_documents", load_then_commit_elsewhere)
    assert apply_pending().applied == 1
    assert indexed_titles() == {"Billing"}
    assert apply_pending().applied == 1
    assert indexed_titles() == {"Billing", "Payments"}


@pytest.mark.parametrize("app_config", [AFTER_RESPONSE_SYNC])
def test_a_crash_while_indexing_loses_nothing(app, client, area_documents):
    """Indexing fails once after the response: nobody sees it, and the indexing thread tries
    again by itself."""
    area_source.FAIL_NEXT_LOAD["count"] = 1

    @app.post("/test-add-area")
    def add_area_view():
        add_area("Reports")
        db.session.commit()
        return "ok"

    assert client.post("/test-add-area").status_code == 200  # nobody sees the indexing failure
    eventually(lambda: area_source.FAIL_NEXT_LOAD["count"] == 0)  # the indexing thread failed
    eventually(lambda: indexed_titles() == {"Reports"})
    eventually(lambda: index_status()["pending"] == 0)


def test_search_sync_applies_what_is_pending(runner, area_documents):
    add_area("Reports")
    db.session.commit()
    result = runner.invoke(args=["search", "sync"])
    assert result.exit_code == 0 and "Applied 1 changes" in result.output
    assert indexed_titles() == {"Reports"}


def test_a_busy_index_defers_and_never_drops(area_documents):
    add_area("Mobile")
    db.session.commit()
    holder = open_index().writer()  # another process holding Whoosh's write lock
    try:
        result = apply_pending(lock_timeout=0.1)
        assert result.deferred and result.applied == 0
    finally:
        holder.cancel()
    assert apply_pending().applied == 1
    assert indexed_titles() == {"Mobile"}


def test_rebuild_equals_the_incremental_index(runner, area_documents):
    for name in ("Billing", "Mobile", "Reports", "Account"):
        add_area(name, f"All about {name.lower()}")
    db.session.commit()
    apply_pending()
    incremental = _stored_documents()
    old_dir = live_index_dir()
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Rebuilt the index: 4 documents" in result.output
    assert live_index_dir() != old_dir and not old_dir.exists()
    assert _stored_documents() == incremental
    status = runner.invoke(args=["search", "status"])
    assert "Documents:        4" in status.output and "Changes pending:  0" in status.output


def test_changes_during_a_rebuild_are_applied_after_it(area_documents):
    add_area("Billing")
    db.session.commit()
    rebuild()
    add_area("Late arrival")
    db.session.commit()
    apply_pending()
    assert indexed_titles() == {"Billing", "Late arrival"}


def _stored_documents() -> set[tuple]:
    with searchers().lend() as searcher:
        return {
            (hit["key"], hit["title"], hit.get("excerpt"))
            for hit in searcher.search(Every(), limit=None)
        }


@pytest.mark.parametrize("app_config", [{"SEARCH_GAP_GRACE_SECONDS": 60}])
def test_a_gap_in_change_ids_waits_for_the_slower_transaction(area_documents):
    first = add_area("First")
    db.session.commit()
    db.session.add(SearchChange(id=first + 100, doc_type="area", doc_id=first))
    db.session.commit()
    ids = [change.id for change in pending_changes(0, 100)]
    assert ids == [1]  # stops before the gap until the grace period has passed


def _writer_process(config: dict, names: list[str], errors) -> None:
    from portal import create_app

    app = create_app(config)
    with app.app_context():
        SOURCES["area"] = area_source.AREA_SOURCE
        try:
            for name in names:
                add_area(name)
                db.session.commit()
                apply_pending()
        except Exception as error:
            errors.put(repr(error))
        finally:
            db.session.remove()
            db.engine.dispose()


def test_two_processes_writing_at_once_lose_nothing(app, area_documents):
    context = multiprocessing.get_context("spawn")
    errors = context.Queue()
    config = {
        key: app.config[key]
        for key in (
            "SQLALCHEMY_DATABASE_URI",
            "SECRET_KEY",
            "INSTANCE_DIR",
            "SEARCH_DIR",
            "UPLOAD_DIR",
            "SQLALCHEMY_ENGINE_OPTIONS",
        )
    }
    # The writers keep the grace period: with none, a writer skipped the id of the other's
    # transaction still in flight, and that change was never applied (on PostgreSQL, where a
    # later id can commit first; it failed one CI run in many).
    config.update(TESTING=True, RATELIMIT_ENABLED=False)
    names = [[f"P{p} Area {i}" for i in range(15)] for p in range(2)]
    processes = [context.Process(target=_writer_process, args=(config, n, errors)) for n in names]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [p.exitcode for p in processes] == [0, 0]
    assert errors.empty()
    apply_pending()
    assert indexed_titles() == {name for group in names for name in group}
    assert Term("type", "area")


def test_an_index_of_another_schema_asks_for_a_rebuild(app, runner, area_documents):
    """An index left by an older portal cannot take new documents: sync says what to do,
    loses nothing, and a rebuild brings everything in."""
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, Schema

    from portal.search.index import make_live, search_dir

    old = search_dir() / "index-old"
    old.mkdir()
    whoosh_index.create_in(str(old), Schema(key=ID(unique=True, stored=True)))
    make_live(old)
    add_area("Billing")
    db.session.commit()
    result = runner.invoke(args=["search", "sync"])
    assert result.exit_code == 1
    assert "run `flask search rebuild`" in result.output
    assert index_status()["pending"] == 1
    assert runner.invoke(args=["search", "rebuild"]).exit_code == 0
    assert indexed_titles() == {"Billing"}


def test_segments_keep_their_files_apart(area_documents):
    """Whoosh opens a compound segment file by copying its postings into memory, for every
    searcher of every thread (gigabytes at 400,000 posts): the index never writes one."""
    add_area("Billing", "Invoices and refunds")
    db.session.commit()
    apply_pending()
    rebuild()
    add_area("Mobile", "Phones")
    db.session.commit()
    apply_pending()
    ix = open_index()
    segments = ix._segments()
    ix.close()
    assert len(segments) >= 1
    assert not any(segment.is_compound() for segment in segments)


def test_searches_share_what_one_index_version_derives(app, area_documents):
    """Searches at the same time get searchers of their own, but a filter matched (or a
    search answered) with one is there for the others, until the index changes."""
    add_area("Billing", "Invoices and refunds")
    db.session.commit()
    apply_pending()
    found = {}

    def other_thread():
        with app.app_context(), searchers().lend() as theirs:
            found["searcher"] = theirs
            found["mask"] = searchers().filter_mask(theirs, Every())
            found["results"] = searchers().results(theirs)

    with searchers().lend() as mine:
        mask = searchers().filter_mask(mine, Every())
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        assert found["searcher"] is not mine
        assert found["mask"] is mask
        assert found["results"] is searchers().results(mine)

    add_area("Shipping", "Parcels")
    db.session.commit()
    apply_pending()
    with searchers().lend() as newer:
        assert newer is not mine
        assert searchers().filter_mask(newer, Every()) is not mask
        assert int(searchers().filter_mask(newer, Every()).sum()) == int(mask.sum()) + 1


def test_a_searcher_is_lent_to_one_search_at_a_time(app, area_documents):
    """At most SEARCHERS searches hold a searcher at once; the next waits for one to come
    back and is lent that one, reused rather than opened anew. Within a search, the thread
    is lent the same searcher again."""
    add_area("Billing", "Invoices and refunds")
    db.session.commit()
    apply_pending()
    pool = SearcherCache(size=1)
    lent = {}

    def other_thread():
        with app.app_context(), pool.lend() as theirs:
            lent["theirs"] = theirs

    with pool.lend() as mine:
        with pool.lend() as again:
            assert again is mine
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join(timeout=0.5)
        assert thread.is_alive()  # waiting for the one searcher
    thread.join(timeout=10)
    assert lent["theirs"] is mine
    pool.close_all()
    assert mine.is_closed
