"""What a newcomer met on the search page: filters without words found nothing, a page past
the end said "Nothing matches", snippets were cut mid-word, closed questions looked open, and
"did you mean" was only offered when it could simply be run."""

import re

import pytest

from portal.extensions import db
from portal.search.index import searchers
from portal.search.indexer import apply_pending
from portal.search.queries import PER_PAGE, whole_words
from portal.support.services import close_as_duplicate
from tests.factories import make_area, make_question, make_user


@pytest.fixture(autouse=True)
def _close_searchers(app):
    yield
    searchers().close()


def _titles(page: str) -> list[str]:
    return re.findall(r'class="search-hit__title"><a href="[^"]+">([^<]+)</a>', page)


def test_filters_alone_list_what_they_match_newest_first(client):
    area = make_area("Sign-in", slug="sign-in")
    older = make_question(
        area=area, title="Single sign-on with Okta fails at the callback", tags=["sso"]
    )
    newer = make_question(
        area=area, title="SAML assertion rejected after certificate renewal", tags=["sso"]
    )
    make_question(area=area, title="How do I change the invoice currency here?", tags=["billing"])
    apply_pending()
    page = client.get("/search?q=&tag=sso").get_data(as_text=True)
    assert _titles(page) == [newer.title, older.title]
    assert "2 results matching your filters, newest first" in page
    assert "Nothing matches" not in page
    assert "Search every question" not in page  # the empty-query help is for no filters either


def test_a_page_past_the_end_shows_the_last_page(client):
    area = make_area()
    for n in range(PER_PAGE + 3):
        make_question(area=area, title=f"Export question number {n:02d} about exports")
    apply_pending()
    page = client.get("/search?q=export&page=99999").get_data(as_text=True)
    assert "Nothing matches" not in page
    assert "Page 2 of 2" in page and len(_titles(page)) == 3


def test_snippets_end_at_a_whole_word(client):
    body = " ".join(["The synchronisation service reconnects"] * 60)
    make_question(title="Reconnecting the desktop client", body=body, tags=["desktopclient"])
    apply_pending()
    page = client.get("/search?q=tag:desktopclient").get_data(as_text=True)
    snippet = re.search(r'class="search-hit__snippet">([^<]*)</p>', page).group(1)
    assert snippet.endswith("…")
    assert snippet.removesuffix("…").split()[-1] in {
        "The",
        "synchronisation",
        "service",
        "reconnects",
    }
    assert whole_words("alpha beta gamma", 12) == "alpha beta…"


def test_closed_and_duplicate_questions_say_so(client):
    staff = make_user("staff")
    original = make_question(title="Calendar sync duplicates every event twice")
    duplicate = make_question(title="Calendar sync shows each event two times")
    close_as_duplicate(duplicate, staff, original)
    db.session.commit()
    apply_pending()
    page = client.get("/search?q=calendar sync").get_data(as_text=True)
    rows = page.split('class="search-hit"')[1:]
    marked = {_titles(row)[0]: ">Duplicate<" in row for row in rows}
    assert marked == {original.title: False, duplicate.title: True}
    similar = client.get("/search/similar?q=calendar sync event").get_json()
    assert {item["title"]: item["status"] for item in similar}[duplicate.title] == "duplicate"


def test_a_misspelling_that_finds_nothing_searches_the_correction(client):
    make_question(title="Password reset email never arrives", body="No reset email at all.")
    apply_pending()
    page = client.get("/search?q=pasword").get_data(as_text=True)
    assert _titles(page) == ["Password reset email never arrives"]
    assert "Showing results for <strong>password</strong>" in page
    assert "exact=1" in page and ">pasword</a>" in page
    exact = client.get("/search?q=pasword&exact=1").get_data(as_text=True)
    assert _titles(exact) == [] and "Did you mean" in exact


def test_the_search_page_has_a_heading(client):
    assert "<h1" in client.get("/search?q=anything").get_data(as_text=True)
