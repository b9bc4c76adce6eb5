"""Questions and answers in the real index, through the real support services and pages."""

import pytest
from whoosh.qparser import QueryParser
from whoosh.query import Every

from portal.extensions import db
from portal.search.index import searchers
from portal.search.indexer import apply_pending, rebuild
from portal.search.queries import Filters, search
from portal.support.services import accept_answer, delete_post
from tests.conftest import login
from tests.factories import make_answer, make_question
from tests.search import eventually

# Tests turn the after-response indexing off unless they are about it (it costs every test).
AFTER_RESPONSE_SYNC = {"SEARCH_SYNC_AFTER_REQUEST": True}


@pytest.fixture(autouse=True)
def _close_searchers(app):
    yield
    searchers().close()


def keys() -> set[str]:
    with searchers().lend() as searcher:
        return {hit["key"] for hit in searcher.search(Every(), limit=None)}


@pytest.mark.parametrize("app_config", [AFTER_RESPONSE_SYNC])
def test_asking_through_the_page_is_searchable_soon_after(client, make_user, make_area):
    area = make_area("Billing", slug="billing")
    login(client, make_user())
    response = client.post(
        "/questions/ask",
        data={
            "title": "Invoices show the wrong currency after switching plans",
            "body": "After I moved from Pro to Enterprise every invoice shows dollars.",
            "area": area.slug,
            "tags": "invoices currency",
        },
    )
    assert response.status_code == 302

    def results_once_indexed() -> str | None:
        page = client.get("/search", query_string={"q": "currency invoices"}).get_data(as_text=True)
        return page if "Invoices show the wrong currency after switching plans" in page else None

    page = eventually(results_once_indexed)
    assert '<mark class="match term0">invoice</mark>' in page


def test_answers_roll_up_into_their_question(app):
    question = make_question(title="Sync stops on Android", body="The phone app stops syncing.")
    answer = make_answer(question, body="Turn off battery optimisation for the app in Android.")
    apply_pending()
    with searchers().lend() as searcher:
        hits = searcher.search(QueryParser("body", searcher.schema).parse("battery optimisation"))
        found = {hit["key"] for hit in hits}
    assert found == {f"question:{question.id}", f"answer:{answer.id}"}


def test_solved_filter_and_deletes(app, client, make_user):
    staff = make_user("staff")
    solved = make_question(title="Export reports to CSV every Monday")
    answer = make_answer(solved, body="Use scheduled exports under Reports.")
    accept_answer(answer, solved.author)
    open_one = make_question(title="Export reports to PDF with our logo")
    db.session.commit()
    apply_pending()
    page = client.get("/search?q=export reports&status=solved").get_data(as_text=True)
    assert "Export reports to CSV every Monday" in page
    assert "Export reports to PDF with our logo" not in page
    delete_post(open_one, staff)
    db.session.commit()
    apply_pending()
    assert f"question:{open_one.id}" not in keys()


def test_similar_items_json(app, client):
    question = make_question(title="Two-factor codes are rejected on the new phone")
    apply_pending()
    items = client.get("/search/similar?q=two factor codes rejected&type=question").get_json()
    assert items[0]["id"] == question.id and items[0]["type"] == "question"
    assert items[0]["url"].startswith(f"/questions/{question.id}")
    assert set(items[0]) == {"type", "id", "title", "url", "status", "solved", "votes"}


def _documents() -> set[tuple]:
    with searchers().lend() as searcher:
        return {(h["key"], h["title"], h["excerpt"]) for h in searcher.search(Every(), limit=None)}


def test_rebuild_equals_incremental_for_questions_and_answers(app):
    for n in range(4):
        question = make_question(title=f"Calendar integration problem number {n}")
        make_answer(question, body=f"Reconnect the calendar, attempt {n}.")
    apply_pending()
    incremental = _documents()
    result = rebuild()
    assert result.documents == 8
    rebuilt = _documents()
    assert rebuilt == incremental


def test_the_result_count_matches_the_results_shown(app, client, runner):
    """On the demo data Whoosh's `filter=` counted matches the filter removed (10 said, 7 shown)."""
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    searchers().close()
    page = client.get("/search?q=sync").get_data(as_text=True)
    shown = page.count('class="search-hit"')
    assert shown > 0
    assert f"{shown} result{'s' if shown != 1 else ''} for" in page


def test_similar_items_read_typed_words_as_words(app, client):
    """A title is not query syntax: NOT, a lone parenthesis or `title:` are just words."""
    question = make_question(title="Export NOT working for reports")
    apply_pending()
    for typed in ["export NOT working (reports", "title: export reports AND", '"export']:
        items = client.get("/search/similar", query_string={"q": typed}).get_json()
        assert [item["id"] for item in items] == [question.id], typed


def test_repeated_searches_are_cached_until_the_index_changes(app):
    make_question(title="Webhooks retry three times")
    apply_pending()
    first = search("webhooks", Filters())
    assert first.total == 1
    assert search("webhooks", Filters()).hits == first.hits  # from the cache
    make_question(title="Webhooks arrive twice")
    apply_pending()
    assert search("webhooks", Filters()).total == 2
