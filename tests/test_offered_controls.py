"""Pages offer only what this viewer can do: no Ask, Suggest, Vote or Follow for a suspended
person, no vote on one's own question or answer. Anonymous visitors keep the buttons that ask
them to log in. Kept pages are on, so a control made for one viewer cannot reach another."""

import pytest

from portal.support.services import post_answer
from tests.conftest import login
from tests.factories import make_idea, make_question


@pytest.fixture
def app_config():
    return {"PAGE_CACHE": True}


def _page(app, viewer, url: str) -> str:
    client = app.test_client()
    if viewer is not None:
        login(client, viewer)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_a_suspended_person_is_offered_nothing_to_do(app, make_user):
    author = make_user()
    question = make_question(author=author)
    idea = make_idea(author)
    member = make_user()
    suspended = make_user(suspended=True, suspension_reason="Posting spam.")
    urls = ["/", "/questions", "/ideas", f"/questions/{question.id}", f"/ideas/{idea.id}"]
    for url in urls:  # a member first, so their page is kept before the suspended person asks
        _page(app, member, url)
    for url in urls:
        page = _page(app, suspended, url)
        assert 'href="/questions/ask' not in page and 'href="/ideas/new"' not in page, url
        assert "/vote" not in page and "/follow" not in page, url
        assert "Log in to vote" not in page, url
    assert "suspended: Posting spam." in page and "spam.." not in page
    board = _page(app, member, "/ideas")
    assert f'action="/ideas/{idea.id}/vote"' in board and 'href="/ideas/new"' in board


def test_no_vote_buttons_on_ones_own_posts(app, make_user):
    asker, helper = make_user(), make_user()
    question = make_question(author=asker)
    answer = post_answer(question, helper, "Restart the sync from the settings page, then wait.")
    from portal.extensions import db

    db.session.commit()
    url = f"/questions/{question.id}"
    _page(app, make_user(), url)  # a plain member's page is kept first
    mine = _page(app, asker, url)
    assert f'action="/questions/{question.id}/vote"' not in mine
    assert f'action="/answers/{answer.id}/vote"' in mine
    theirs = _page(app, helper, url)
    assert f'action="/answers/{answer.id}/vote"' not in theirs
    assert f'action="/questions/{question.id}/vote"' in theirs


def test_anonymous_visitors_are_asked_to_log_in(app, make_user):
    question = make_question()
    page = _page(app, None, f"/questions/{question.id}")
    assert 'href="/questions/ask"' in page and "Log in to vote" in page
