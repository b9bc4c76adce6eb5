"""The search page and the similar-items JSON answer every input with a sensible page."""

import pytest

from portal.extensions import db
from portal.search.index import make_schema
from portal.search.models import SearchQuery
from portal.search.queries import normalise_query, parse

HOSTILE = [
    '"unbalanced quote',
    "((unbalanced parens",
    "close)) only",
    "*",
    "?",
    "title:",
    "tag:",
    ":::",
    "AND OR NOT",
    "NOT",
    "x" * 10_000,
    "ошибка синхронизации",
    "同步错误",
    "خطأ في المزامنة",
    "emoji 🚀🔥 query",
    "<script>alert(1)</script>",
    "created:[2020 to",
    "votes:>>5",
    "%00%ff",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_answer_200_with_a_page(client, query):
    response = client.get("/search", query_string={"q": query})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Search" in page and "<script>alert(1)</script>" not in page


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_similar_queries_answer_json(client, query):
    response = client.get("/search/similar", query_string={"q": query, "type": "idea"})
    assert response.status_code == 200 and response.get_json() == []


@pytest.mark.parametrize("path", ["/search", "/search/similar"])
def test_control_characters_in_a_query_get_a_clear_400(client, path):
    response = client.get(path, query_string={"q": "control\x00chars\x07here\x1b"})
    assert response.status_code == 400
    assert "invisible control character" in response.get_data(as_text=True)


def test_empty_query_explains_what_search_can_do(client):
    page = client.get("/search").get_data(as_text=True)
    assert "Search every question, answer and idea" in page
    assert db.session.execute(db.select(SearchQuery)).first() is None


def test_searches_are_logged_with_their_result_count(client, make_user):
    from tests.conftest import login

    user = make_user()
    login(client, user)
    client.get("/search", query_string={"q": "  Export   to CSV "})
    client.get("/search", query_string={"q": "Export to CSV", "page": 2})  # paging: not a search
    logged = db.session.execute(db.select(SearchQuery)).scalar_one()
    assert (logged.query, logged.results, logged.user_id) == ("export to csv", 0, user.id)


@pytest.mark.parametrize(
    ("param", "value"), [("type", "nope"), ("sort", "sideways"), ("page", "-4"), ("status", "x")]
)
def test_bad_filter_values_are_ignored(client, param, value):
    response = client.get("/search", query_string={"q": "sync", param: value})
    assert response.status_code == 200


def test_normalise_query():
    assert normalise_query("  a\x00b \t c ") == "a b c"
    assert len(normalise_query("y" * 5000)) == 500


def test_bad_syntax_falls_back_to_plain_words():
    parsed, notice = parse('"unbalanced (quote', make_schema())
    assert parsed is not None
    assert notice is None or "searched for the words" in notice
