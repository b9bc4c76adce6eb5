"""A form needs the session's token unless the browser says one of our own pages sent it
(`Sec-Fetch-Site: same-origin`): the rule that lets pages kept for many members hold forms
with no one's token in them (portal.csrf)."""

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.support.models import Answer
from tests.conftest import login
from tests.factories import make_question

ANSWER = "Reset the limit screws of the derailleur, then index it again."


def _answers(question_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count()).select_from(Answer).where(Answer.question_id == question_id)
    )


@pytest.fixture
def member_and_question(client, make_user):
    member = make_user()
    question = make_question(make_user(), title="Chain skips on the smallest cog")
    login(client, member)
    return member, question


def test_a_form_from_our_own_page_needs_no_token(client, member_and_question):
    _, question = member_and_question
    response = client.post(
        f"/questions/{question.id}/answers",
        data={"body": ANSWER},
        csrf=False,
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 302
    assert _answers(question.id) == 1


@pytest.mark.parametrize("origin", ["cross-site", "same-site", "none", None])
def test_a_form_from_anywhere_else_without_a_token_is_refused(client, member_and_question, origin):
    _, question = member_and_question
    headers = {"Sec-Fetch-Site": origin} if origin else {}
    response = client.post(
        f"/questions/{question.id}/answers", data={"body": ANSWER}, csrf=False, headers=headers
    )
    # The answer form is shown again with what was typed (see portal.csrf), and nothing is written.
    assert response.status_code == 422
    assert ANSWER in response.get_data(as_text=True)
    assert _answers(question.id) == 0


def test_a_form_from_another_site_with_the_token_still_works(client, member_and_question):
    """A browser too old to send the header posts the token `portal.js` adds from the layout."""
    _, question = member_and_question
    response = client.post(
        f"/questions/{question.id}/answers",
        data={"body": ANSWER},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 302
    assert _answers(question.id) == 1


def test_the_layout_gives_a_member_the_token_for_scripts_and_old_browsers(
    client, member_and_question
):
    _, question = member_and_question
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert '<meta name="csrf-token" content="' in page


def test_an_anonymous_page_gets_no_token(client, make_user):
    question = make_question(make_user(), title="Tubeless sealant dries out")
    response = client.get(f"/questions/{question.id}", follow_redirects=True)
    assert 'name="csrf-token"' not in response.get_data(as_text=True)


def test_a_members_second_visit_sets_no_cookie(client, member_and_question):
    _, question = member_and_question
    client.get(f"/questions/{question.id}/{question.slug}")
    response = client.get(f"/questions/{question.id}/{question.slug}")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_a_refused_form_is_shown_again_only_to_whom_its_page_is_for(app, make_user):
    """A form page shown again after a failed token check (its input kept) still passes its
    blueprint's guards: the admin pages re-rendered for anyone gave away members' emails."""
    from flask import Flask
    from flask.testing import FlaskClient

    from portal.csrf import is_form_view

    flask_app: Flask = app
    guarded = sorted(
        rule.rule
        for rule in flask_app.url_map.iter_rules()
        if "POST" in rule.methods
        and is_form_view(rule.endpoint)
        and flask_app.before_request_funcs.get(rule.endpoint.partition(".")[0])
        and not rule.arguments
    )
    assert "/admin/brand" in guarded and "/admin/mail" in guarded
    secret = make_user(email="hidden-person@example.com")
    member = make_user()
    for who in ("anonymous", "member"):
        client = FlaskClient(flask_app, flask_app.response_class, use_cookies=True)  # no token
        if who == "member":
            login(client, member)
        for path in [*guarded, f"/admin/users/{secret.id}/role"]:
            response = client.post(path, data={"x": "1"}, headers={"Sec-Fetch-Site": "cross-site"})
            page = response.get_data(as_text=True)
            assert response.status_code in (302, 403), (who, path, response.status_code)
            assert "hidden-person@example.com" not in page, (who, path)
