"""Anonymous visitors get pages kept whole until the community changes (portal.caching)."""

import re

import pytest

from portal.extensions import db
from tests.conftest import login


@pytest.fixture
def app_config():
    return {"PAGE_CACHE": True}


def test_an_anonymous_page_is_kept_until_the_next_activity(app, make_question, make_user):
    question = make_question(title="Brake pads squeal after rain")
    anonymous, member = app.test_client(), app.test_client()
    login(member, make_user())
    url = f"/questions/{question.id}"
    assert "Brake pads squeal after rain" in anonymous.get(url).get_data(as_text=True)

    # A change that records no activity event: members see it, anonymous visitors get the kept page.
    question.title = "Brake pads squeal in the wet"
    db.session.commit()
    assert "squeal in the wet" in member.get(url).get_data(as_text=True)
    assert "squeal after rain" in anonymous.get(url).get_data(as_text=True)

    # Posting an answer records an event: the next anonymous visit sees the answer at once.
    body = "Clean the rims with alcohol and bed the pads in again."
    response = member.post(f"{url}/answers", data={"body": body})
    assert response.status_code == 302
    page = anonymous.get(url).get_data(as_text=True)
    assert "bed the pads in again" in page
    assert "squeal in the wet" in page


def test_kept_lists_follow_new_questions(app, make_user, make_area):
    area = make_area()
    member = app.test_client()
    login(member, make_user())
    anonymous = app.test_client()
    assert "Chain skips on the smallest cog" not in anonymous.get("/questions").get_data(
        as_text=True
    )
    response = member.post(
        "/questions/ask",
        data={
            "title": "Chain skips on the smallest cog",
            "body": "Since I replaced the cassette the chain skips under load.",
            "area": area.slug,
            "tags": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    for path in ("/questions", "/"):
        assert "Chain skips on the smallest cog" in anonymous.get(path).get_data(as_text=True)
    # Members share the kept rows of a list, and see the new question in them at once too.
    assert "Chain skips on the smallest cog" in member.get("/questions").get_data(as_text=True)


def test_a_visitor_with_a_message_waiting_gets_a_fresh_page(app, make_question):
    question = make_question()
    client = app.test_client()
    client.get(f"/questions/{question.id}")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "You have been logged out.")]
    assert "You have been logged out." in client.get(f"/questions/{question.id}").get_data(
        as_text=True
    )


def test_a_kept_question_page_costs_one_lookup_and_still_counts_the_view(
    app, make_question, count_queries
):
    from portal.support.models import Question

    question = make_question(title="Spokes ping on every climb")
    url = f"/questions/{question.id}/{question.slug}"
    first, second = app.test_client(), app.test_client()
    assert first.get(url).status_code == 200
    with count_queries() as counted:
        page = second.get(url).get_data(as_text=True)
    assert "Spokes ping on every climb" in page
    assert counted.count == 1  # the community's version: the question is not loaded
    # A wrong slug still redirects, and an unknown question is still a 404.
    assert second.get(f"/questions/{question.id}/old-title").status_code == 301
    assert second.get("/questions/999999").status_code == 404
    db.session.expire_all()
    assert db.session.get(Question, question.id).view_count == 2  # written after each response


def test_a_kept_page_is_kept_encoded_and_served_as_utf8(app, make_question):
    question = make_question(title="Schaltauge verbogen → Kette springt")
    url = f"/questions/{question.id}"
    first, second = app.test_client(), app.test_client()
    made = first.get(url)
    kept = second.get(url)
    assert (
        kept.headers["Content-Type"] == made.headers["Content-Type"] == ("text/html; charset=utf-8")
    )
    assert "Schaltauge verbogen → Kette springt" in kept.get_data(as_text=True)
    assert kept.get_data() == made.get_data()
    stored = app.extensions["portal_page_cache"]._entries[f"/questions/{question.id}?"][1]
    assert isinstance(stored, bytes) and "→ Kette".encode() in stored


def _tokens(page: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', page))


def test_members_with_nothing_on_a_question_share_its_content(
    app, make_question, make_user, count_queries
):
    from tests.factories import make_answer

    question = make_question(title="Gears slip under load")
    make_answer(question, body="Index the rear derailleur with the barrel adjuster.")
    url = f"/questions/{question.id}/{question.slug}"
    ana, ben = make_user(display_name="Ana Reader"), make_user(display_name="Ben Reader")
    first, second = app.test_client(), app.test_client()
    login(first, ana)
    login(second, ben)
    first_page = first.get(url).get_data(as_text=True)
    with count_queries() as counted:
        second_page = second.get(url).get_data(as_text=True)
    assert "barrel adjuster" in second_page
    # Ben, the version, his votes, his unread notifications and the site's settings: the
    # question is not loaded.
    assert counted.count <= 5
    # The layout is Ben's own, with his token (the header's log-out form and the control of
    # what he follows, filled into the content's slot); the shared content holds no one's
    # token: its forms are vouched for by the browser.
    assert "Ben Reader" in second_page and "Ana Reader" not in second_page
    assert len(_tokens(second_page)) == 1 and _tokens(second_page) != _tokens(first_page)
    assert second_page.count('name="csrf_token"') == 2
    response = second.post(
        f"/questions/{question.id}/answers",
        data={"body": "x" * 40},
        csrf=False,
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 302


def test_a_member_with_something_on_the_page_gets_their_own(
    app, make_question, make_user, kept_members
):
    from tests.factories import make_answer

    question = make_question(title="Headset creaks when braking")
    url = f"/questions/{question.id}"
    reader, answerer, voter = make_user(), make_user(), make_user()
    answer = make_answer(question, author=answerer, body="Tighten the stem bolts to spec, evenly.")
    clients = {}
    for user in (reader, answerer, voter):
        clients[user.id] = app.test_client()
        login(clients[user.id], user)
    assert "Edit</a>" not in clients[reader.id].get(url).get_data(as_text=True)
    # The answerer may edit their answer: not the shared page.
    assert f"/answers/{answer.id}/edit" in clients[answerer.id].get(url).get_data(as_text=True)
    # A vote shows as pressed for the voter only.
    clients[voter.id].post(f"/answers/{answer.id}/vote", data={"value": "up"})
    page = clients[voter.id].get(url).get_data(as_text=True)
    assert 'aria-pressed="true"' in page
    assert 'aria-pressed="true"' not in clients[reader.id].get(url).get_data(as_text=True)


def test_a_members_own_page_is_kept_for_them_until_the_next_activity(
    app, make_question, make_user, count_queries
):
    from tests.factories import make_answer

    asker, other = make_user(display_name="Asker"), make_user()
    question = make_question(author=asker, title="Chain skips on the smallest cog")
    make_answer(question, body="Replace the chain: it has stretched past 0.75 percent.")
    url = f"/questions/{question.id}"
    client = app.test_client()
    login(client, asker)
    first = client.get(url).get_data(as_text=True)
    assert "Accept" in first  # the asker's own page: they may accept the answer
    with count_queries() as counted:
        again = client.get(url).get_data(as_text=True)
    assert not any(" FROM answers" in statement for statement in counted.statements)
    assert again.count("Accept") == first.count("Accept")
    # A new answer is new activity: the asker's next visit shows it.
    make_answer(question, author=other, body="Check the derailleur hanger alignment first.")
    assert "derailleur hanger" in client.get(url).get_data(as_text=True)


def test_anonymous_visitors_get_the_shared_lists(app, make_question, make_user):
    """The lists' rows are shared parts too: a visitor with no account fills them first."""
    make_question(title="Spokes ping on the first ride")
    anonymous = app.test_client()
    for path in ("/ideas", "/questions", "/roadmap"):
        assert anonymous.get(path).status_code == 200, path
    assert "Spokes ping" in anonymous.get("/questions").get_data(as_text=True)


def test_old_slugs_and_missing_questions_for_members(app, make_question, make_user):
    question = make_question(title="Rotor rubs after wheel change")
    member = app.test_client()
    login(member, make_user())
    assert member.get(f"/questions/{question.id}").status_code == 200
    assert member.get(f"/questions/{question.id}/old-title").status_code == 301
    assert member.get("/questions/999999").status_code == 404


def test_members_share_the_rows_of_lists_and_the_roadmap(
    app, make_question, make_user, count_queries
):
    make_question(title="Pedal clicks at the top of the stroke")
    member = app.test_client()
    login(member, make_user())
    for path in ("/questions", "/roadmap"):
        member.get(path)
        with count_queries() as counted:
            page = member.get(path).get_data(as_text=True)
        assert page.count("Pedal clicks at the top") == (1 if path == "/questions" else 0)
        assert not any(
            " FROM questions" in statement or " FROM ideas" in statement
            for statement in counted.statements
        ), path


def test_kept_pages_are_bounded_by_their_size():
    from portal.caching import VersionedCache

    kept = VersionedCache(max_entries=100, max_bytes=30_000)
    for n in range(5):
        kept.put(n, 1, "x" * 10_000)
    assert [n for n in range(5) if kept.peek(n, 1) is not None] == [3, 4]  # oldest went first
    kept.put(3, 1, "small")  # replacing an entry releases its old size
    kept.put(5, 1, "y" * 10_000)
    assert kept.peek(4, 1) is not None and kept.peek(5, 1) is not None


def test_while_a_new_version_of_a_page_renders_the_others_get_the_kept_one():
    """When the minute turns (or the community changes), one thread renders the page anew and
    the others get the page kept before instead of waiting for it."""
    import threading

    from portal.caching import VersionedCache

    kept = VersionedCache()
    assert kept.get("/roadmap", 1, lambda: "minute 1", give_kept=True) == "minute 1"
    started, release = threading.Event(), threading.Event()

    def render():
        started.set()
        release.wait(5)
        return "minute 2"

    results = []
    renderer = threading.Thread(
        target=lambda: results.append(kept.get("/roadmap", 2, render, give_kept=True))
    )
    renderer.start()
    assert started.wait(5)
    assert kept.get("/roadmap", 2, lambda: "rendered twice", give_kept=True) == "minute 1"
    release.set()
    renderer.join(5)
    assert results == ["minute 2"] and kept.peek("/roadmap", 2) == "minute 2"


def test_a_members_request_reads_the_community_version_with_the_member(
    app, make_question, make_user, count_queries
):
    """The version every kept part is checked against comes in the statement that loads the
    member, and the kept content knows its voters: a member's question page runs that one
    statement."""
    question = make_question(title="Freehub buzzes when coasting")
    member = app.test_client()
    login(member, make_user())
    url = f"/questions/{question.id}"
    member.get(url)
    with count_queries() as counted:
        assert member.get(url).status_code == 200
    assert len(counted.statements) == 1
    assert "FROM users" in counted.statements[0]
    assert "activity_events" in counted.statements[0]


def test_the_version_read_with_the_member_is_the_newest_event(app, make_user):
    from portal.accounts.auth import load_user
    from portal.accounts.sessions import start_session
    from portal.activity import record_event
    from portal.caching import community_version

    member = make_user()
    key = start_session(member, None)
    db.session.commit()
    with app.test_request_context():
        load_user(key)
        assert community_version() == (0, None)  # no activity yet
    event = record_event("question_viewed", actor=member)
    db.session.commit()
    with app.test_request_context():
        load_user(key)
        assert community_version() == (event.id, event.created_at)


def test_a_kept_page_lasts_until_its_urls_minute_turns(app, make_question, monkeypatch):
    """Relative times on a kept page stay right within a minute; each URL's minute turns at a
    second of its own, so a process does not make all its pages anew at once."""
    from portal.caching import pages as cache

    now = [1_000_000.0]
    monkeypatch.setattr(cache.time, "time", lambda: now[0])
    question = make_question(title="Saddle slips down on long rides")
    anonymous = app.test_client()
    url = f"/questions/{question.id}"
    assert "Saddle slips down" in anonymous.get(url).get_data(as_text=True)
    question.title = "Seatpost slips down on long rides"  # records no activity event
    db.session.commit()
    assert "Saddle slips down" in anonymous.get(url).get_data(as_text=True)
    now[0] += cache.PAGE_SECONDS
    assert "Seatpost slips down" in anonymous.get(url).get_data(as_text=True)

    def turns(path: str) -> set[int]:
        """The seconds of a minute at which the path's kept page expires."""
        seconds = set()
        for second in range(cache.PAGE_SECONDS):
            now[0] = 1_000_000.0 + second
            with app.test_request_context(path):
                minute = cache._page_version()[-1]
            now[0] += 1
            with app.test_request_context(path):
                if cache._page_version()[-1] != minute:
                    seconds.add(second)
        return seconds

    assert len(turns("/questions/1")) == 1
    assert len({second for n in range(1, 6) for second in turns(f"/questions/{n}")}) > 1
