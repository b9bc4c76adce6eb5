"""Input the database cannot take is turned away once, before any view: ids out of range are a
404, control characters a clear message (on the field, for a form), pages past the end the
last page."""

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.extensions import db
from portal.inputs import MAX_ID, has_control_characters, typed_id
from portal.site.services import get_settings
from portal.support.models import Question
from tests.conftest import login
from tests.factories import make_question

MESSAGE = "invisible control character"


@pytest.mark.parametrize(
    "path",
    [
        f"/questions/{2**31}",
        f"/questions/{2**63}",
        f"/questions/{10**20}",
        f"/users/{2**31}",
        f"/ideas/{2**31}/edit",
        f"/answers/{10**20}",
    ],
)
def test_ids_the_database_cannot_hold_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_the_largest_id_is_still_looked_up(client):
    assert client.get(f"/questions/{MAX_ID}").status_code == 404


def test_ids_out_of_range_are_not_found_before_any_view_runs(client, make_user):
    login(client, make_user(Role.ADMIN))
    response = client.post(f"/admin/users/{2**31}/suspend", data={"suspend-reason": "spam"})
    assert response.status_code == 404


@pytest.mark.parametrize("query", ["tag=%00", "q=a%00b", "area=%01", "page=%00", "%00=1"])
def test_a_control_character_in_the_query_string_is_a_clear_400(client, query):
    endpoint = "/search" if query.startswith("q=") else "/questions"
    response = client.get(f"{endpoint}?{query}")
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)


def test_anonymous_login_with_a_nul_in_the_email_is_told_on_the_field(client):
    response = client.post("/login", data={"email": "a\x00@example.com", "password": "x" * 12})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert MESSAGE in page


def test_a_nul_in_a_form_is_reported_on_its_field_and_nothing_is_stored(client, make_user):
    login(client, make_user(Role.ADMIN))
    before = get_settings().community_name
    response = client.post(
        "/admin/brand", data={"community_name": "Acme\x00", "primary_color": "#2457c5"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert MESSAGE in page
    assert 'value="Acme\x00"' in page  # what was typed, kept
    db.session.expire_all()
    assert get_settings().community_name == before


def test_a_nul_in_a_question_stores_no_question(client, make_user, make_area):
    area = make_area()
    login(client, make_user())
    response = client.post(
        "/questions/ask",
        data={
            "title": "How do I export my invoices?",
            "body": "I looked in Settings\x00 but found nothing about exports.",
            "area": area.slug,
        },
    )
    assert response.status_code == 200
    assert MESSAGE in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_text_bodies_keep_tabs_and_line_breaks(client, make_user, make_area):
    area = make_area()
    login(client, make_user())
    body = "Steps:\r\n\t1. Open Settings\r\n\t2. Click Export\r\nNothing happens."
    response = client.post(
        "/questions/ask",
        data={"title": "How do I export my invoices?", "body": body, "area": area.slug},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Question.body)) == body


def test_single_line_fields_refuse_tabs_and_line_breaks(client, make_user, make_area):
    area = make_area()
    login(client, make_user())
    response = client.post(
        "/questions/ask",
        data={
            "title": "How do I export\r\nmy invoices?",
            "body": "I looked in Settings but found nothing about exports.",
            "area": area.slug,
        },
    )
    assert MESSAGE in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_a_control_character_posted_to_a_button_is_a_clear_400(client, make_user):
    login(client, make_user())
    response = client.post("/markdown/preview", data={"text": "bell \x07"})
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("text", "multiline", "refused"),
    [
        ("plain text, ünïcödé ✓", False, False),
        ("a\x00b", True, True),
        ("tab\there", False, True),
        ("tab\there and\r\nCRLF and\nLF", True, False),
        ("a lone\rCR", True, True),
        ("DEL\x7f", True, True),
        ("C1 \x85", True, True),
    ],
)
def test_control_characters(text, multiline, refused):
    assert has_control_characters(text, multiline=multiline) is refused


@pytest.mark.parametrize(
    ("digits", "expected"),
    [("42", 42), (str(MAX_ID), MAX_ID), (str(2**31), None), ("9" * 30, None), ("0", None)],
)
def test_typed_ids(digits, expected):
    assert typed_id(digits) == expected


def test_a_typed_question_number_too_large_is_no_question(client, make_user):
    question = make_question()
    login(client, make_user(Role.STAFF))
    response = client.post(f"/questions/{question.id}/close", data={"duplicate_of": str(10**20)})
    assert "There is no question with that number." in response.get_data(as_text=True)


# Pages --------------------------------------------------------------------------------------------


@pytest.fixture
def two_pages_of_people(make_user):
    """31 people: the admin's list shows 30 a page."""
    admin = make_user(Role.ADMIN, display_name="Zed Admin")
    for n in range(30):
        make_user(display_name=f"Person {n:02}")
    return admin


@pytest.mark.parametrize("page", [str(10**20), "99", str(2**63)])
def test_a_page_past_the_end_is_the_last_page(client, two_pages_of_people, page):
    login(client, two_pages_of_people)
    response = client.get(f"/admin/users?page={page}")
    assert response.status_code == 200
    assert 'aria-current="page">2<' in response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["abc", "-1", "0", "", "²", "1.5"])
def test_a_page_that_is_not_a_number_is_the_first_page(client, two_pages_of_people, page):
    login(client, two_pages_of_people)
    response = client.get(f"/admin/users?page={page}")
    assert response.status_code == 200
    assert 'aria-current="page">1<' in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/questions", "/ideas", "/search?q=invoices"])
def test_lists_answer_a_huge_page(client, path):
    make_question(title="How do I download my invoices?")
    separator = "&" if "?" in path else "?"
    assert client.get(f"{path}{separator}page={10**20}").status_code == 200


@pytest.mark.parametrize(
    "query", ["endpoint=x", "_method=POST", "_scheme=javascript", "_external=1&_scheme=javascript"]
)
def test_page_links_keep_only_the_lists_own_values(client, two_pages_of_people, query):
    login(client, two_pages_of_people)
    response = client.get(f"/admin/users?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="/admin/users?page=2"' in page and "javascript" not in page
