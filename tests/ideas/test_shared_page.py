"""Members with nothing of their own on an idea share its rendered content (portal.caching)."""

import re

import pytest

from tests.conftest import login
from tests.factories import make_idea


@pytest.fixture
def app_config():
    return {"PAGE_CACHE": True}


def _tokens(page: str) -> set[str]:
    return set(re.findall(r'name="[a-z-]*csrf_token" value="([^"]+)"', page))


def test_members_share_an_idea_page_with_their_own_layout_and_token(
    app, make_user, count_queries, kept_members
):
    idea = make_idea(title="Dark mode for the mobile app")
    ana, ben = make_user(display_name="Ana Reader"), make_user(display_name="Ben Reader")
    first, second = app.test_client(), app.test_client()
    login(first, ana)
    login(second, ben)
    first_page = first.get(f"/ideas/{idea.id}").get_data(as_text=True)
    with count_queries() as counted:
        second_page = second.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Dark mode for the mobile app" in second_page
    assert not any(" FROM ideas" in statement for statement in counted.statements)
    assert "Ben Reader" in second_page and "Ana Reader" not in second_page
    # His token is in the layout (the header's log-out form) and in the control of whether he
    # muted the idea, filled into the content's slot; none in the shared content.
    assert len(_tokens(second_page)) == 1 and _tokens(second_page) != _tokens(first_page)
    assert second_page.count("csrf_token") == 2
    response = second.post(
        f"/ideas/{idea.id}/vote",
        data={"intent": "add"},
        csrf=False,
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 302
    # Now Ben has voted (and follows): his page shows it, Ana's still does not.
    assert "Withdraw your vote" in second.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Withdraw your vote" not in first.get(f"/ideas/{idea.id}").get_data(as_text=True)


def test_a_follower_gets_their_own_page(app, make_user, kept_members):
    idea = make_idea(title="Export votes to CSV")
    reader, follower = app.test_client(), app.test_client()
    login(reader, make_user())
    login(follower, make_user())
    url = f"/ideas/{idea.id}"
    assert "Unfollow" not in reader.get(url).get_data(as_text=True)
    assert follower.post(f"/ideas/{idea.id}/follow").status_code == 302
    assert "Unfollow" in follower.get(url).get_data(as_text=True)
    assert "Unfollow" not in reader.get(url).get_data(as_text=True)


def test_the_author_gets_their_own_page(app, make_user):
    author, reader = make_user(), make_user()
    idea = make_idea(author, title="Export invoices as PDF")
    for user, sees_edit in ((reader, False), (author, True)):
        client = app.test_client()
        login(client, user)
        page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
        assert (f"/ideas/{idea.id}/edit" in page) is sees_edit


def test_members_share_the_board_and_see_their_own_votes(app, make_user, count_queries):
    voted, other = make_idea(title="Offline mode"), make_idea(title="Keyboard shortcuts")
    ana, ben = make_user(), make_user()
    first, second = app.test_client(), app.test_client()
    login(first, ana)
    login(second, ben)
    assert second.post(f"/ideas/{voted.id}/vote", data={"intent": "add"}).status_code == 302
    first.get("/ideas")  # Ana's view keeps the cards
    with count_queries() as counted:
        page = second.get("/ideas").get_data(as_text=True)
    assert not any(" FROM ideas" in statement for statement in counted.statements)
    assert len(_tokens(page)) == 1
    widgets = re.findall(r'<form class="(vote[^"]*)"[^>]*data-idea-id="(\d+)"', page)
    assert sorted(widgets) == sorted([("vote vote--mine", str(voted.id)), ("vote", str(other.id))])
    assert 'aria-pressed="true"' in page and "Withdraw your vote" in page
    # Ana voted for neither.
    assert 'aria-pressed="true"' not in first.get("/ideas").get_data(as_text=True)


def test_a_members_own_votes_on_the_board_change_at_once(app, make_user):
    """Which cards show the member's vote is kept for them between visits, and a vote or a
    withdrawal shows on their next look."""
    idea = make_idea(title="Dark mode for the dashboard")
    member = make_user()
    client = app.test_client()
    login(client, member)

    def pressed() -> int:
        return client.get("/ideas").get_data(as_text=True).count('aria-pressed="true"')

    assert pressed() == 0
    client.post(f"/ideas/{idea.id}/vote", data={"intent": "add"})
    assert pressed() == 1
    assert pressed() == 1  # kept for them
    client.post(f"/ideas/{idea.id}/vote", data={"intent": "remove"})
    assert pressed() == 0
