"""Polls: the team starts them (on their own or under a post), members cast one ballot each,
changeable until the close, and the results show after voting or after the close."""

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.activity.models import ActivityEvent
from portal.announcements.models import Announcement
from portal.clock import utcnow
from portal.extensions import db
from portal.polls.models import Poll, PollVote
from portal.polls.queries import results, results_by_segment
from portal.polls.services import cast_ballot, close_poll, start_poll
from portal.writes import Refused
from tests.concurrency import run_concurrently
from tests.conftest import login
from tests.factories import make_idea, make_question


@pytest.fixture
def team(make_user):
    return make_user(Role.PRODUCT)


def a_poll(author, **changes) -> Poll:
    values = {
        "title": "Which export format do you use most?",
        "options": ["CSV", "Excel", "JSON"],
        "multiple": False,
        "results_after": "voted",
    }
    values.update(changes)
    poll = start_poll(author, **values)
    db.session.commit()
    return poll


def option_ids(poll: Poll) -> list[int]:
    return [option.id for option in poll.options]


def test_the_team_starts_a_poll_under_a_question_from_its_page(client, team):
    question = make_question(title="How do I export my invoices to a spreadsheet?")
    login(client, team)
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert f'href="/polls/new?on=question:{question.id}"' in page
    response = client.post(
        "/polls/new",
        data={
            "on": f"question:{question.id}",
            "title": "Which spreadsheet do you use?",
            "options": "Excel\n  Google   Sheets \n\nNumbers",
            "results_after": "voted",
            "time_zone": "Europe/Paris",
        },
    )
    assert response.status_code == 302
    poll = db.session.scalar(select(Poll))
    assert (poll.subject_type, poll.subject_id) == ("question", question.id)
    assert [option.label for option in poll.options] == ["Excel", "Google Sheets", "Numbers"]
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert f'href="/polls/{poll.id}"' in page and "Which spreadsheet do you use?" in page


@pytest.mark.parametrize(
    "options, message",
    [
        ("Only one", "at least two answers"),
        ("Yes\nyes", "must differ"),
        ("\n".join(f"Answer {n}" for n in range(11)), "at most 10"),
        ("Yes\n" + "x" * 121, "under 120 characters"),
    ],
)
def test_a_poll_needs_two_to_ten_different_answers(client, team, options, message):
    login(client, team)
    response = client.post(
        "/polls/new",
        data={"title": "Pick one", "options": options, "results_after": "voted"},
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Poll.id))) == 0


def test_a_closing_time_is_read_in_its_zone_and_must_be_ahead(client, team):
    login(client, team)
    base = {"title": "Pick one", "options": "A\nB", "results_after": "closed"}
    past = client.post("/polls/new", data={**base, "closes": "2001-01-01T10:00"})
    assert "has passed" in past.get_data(as_text=True)
    year = utcnow().year + 1
    client.post(
        "/polls/new",
        data={**base, "closes": f"{year}-07-01T12:00", "time_zone": "America/New_York"},
    )
    poll = db.session.scalar(select(Poll))
    assert poll.closes_at == datetime(year, 7, 1, 16, 0)  # 12:00 EDT is 16:00 UTC


def test_a_member_votes_changes_and_withdraws_and_sees_results_after_voting(
    client, team, make_user
):
    poll = a_poll(team)
    csv, excel, _ = option_ids(poll)
    login(client, make_user())
    page = client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert "The results show once you have voted." in page and "poll-results" not in page
    assert client.post(f"/polls/{poll.id}/ballot", data={"choice": str(csv)}).status_code == 302
    client.post(f"/polls/{poll.id}/ballot", data={"choice": str(excel)})
    assert [t.votes for t in results(poll).tallies] == [0, 1, 0]
    page = client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert 'Excel <span class="muted">(your vote)</span>' in page
    assert re.search(r"1 · 100%", page)
    assert 'max="100" value="100"' in page and 'max="100" value="0"' in page  # drawn bars
    client.post(f"/polls/{poll.id}/withdraw")
    assert results(poll).voters == 0


def test_results_after_the_close_stay_hidden_from_voters_but_not_the_team(client, team, make_user):
    poll = a_poll(team, results_after="closed")
    member = make_user()
    cast_ballot(member, poll, option_ids(poll)[:1])
    db.session.commit()
    login(client, member)
    page = client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert "The results show when the poll closes." in page and "poll-results" not in page
    login(client, team)
    assert "poll-results" in client.get(f"/polls/{poll.id}").get_data(as_text=True)
    client.post(f"/polls/{poll.id}/close")
    client.get("/logout")
    page = client.get(f"/polls/{poll.id}").get_data(as_text=True)  # anonymous, after the close
    assert "poll-results" in page and "1 · 100%" in page


def test_a_closed_poll_takes_no_ballot(team, make_user):
    poll = a_poll(team)
    close_poll(team, poll)
    db.session.commit()
    with pytest.raises(Refused, match="closed"):
        cast_ballot(make_user(), poll, option_ids(poll)[:1])


def test_single_and_multiple_choice(team, make_user):
    single = a_poll(team)
    with pytest.raises(Refused, match="Choose one answer"):
        cast_ballot(make_user(), single, option_ids(single)[:2])
    db.session.rollback()
    several = a_poll(team, multiple=True)
    member = make_user()
    cast_ballot(member, several, option_ids(several)[:2])
    db.session.commit()
    assert [t.votes for t in results(several).tallies] == [1, 1, 0]
    assert results(several).voters == 1


@pytest.mark.parametrize(
    "choice",
    [[], ["abc"], ["99999999999999999999"], ["-1"], ["1\x00"], ["other poll"]],
)
def test_a_ballot_that_names_no_answer_of_the_poll_is_refused_clearly(
    client, team, make_user, choice
):
    poll = a_poll(team)
    other = a_poll(team, title="Another poll")
    if choice == ["other poll"]:
        choice = [str(option_ids(other)[0])]
    login(client, make_user())
    response = client.post(f"/polls/{poll.id}/ballot", data={"choice": choice})
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Choose" in page
    assert db.session.scalar(select(func.count(PollVote.id))) == 0


def test_suspended_members_and_visitors_cannot_vote(client, team, make_user):
    poll = a_poll(team)
    assert "Log in</a> to vote" in client.get(f"/polls/{poll.id}").get_data(as_text=True)
    login(client, make_user(suspended=True))
    client.post(f"/polls/{poll.id}/ballot", data={"choice": str(option_ids(poll)[0])})
    assert db.session.scalar(select(func.count(PollVote.id))) == 0


def test_a_poll_under_a_plan_announcement_is_for_that_plan(client, make_user, make_plan):
    team = make_user(Role.STAFF)  # who may see every announcement (product may not)
    gold, silver = make_plan("Gold"), make_plan("Silver")
    announcement = Announcement(
        title="For Gold customers",
        body="Hi",
        body_html="<p>Hi</p>",
        audience="plan",
        audience_id=gold.id,
        author=team,
    )
    db.session.add(announcement)
    db.session.commit()
    poll = a_poll(team, title="Gold only question", subject=("announcement", announcement.id))
    outsider = make_user(plan_id=silver.id)
    login(client, outsider)
    assert client.get(f"/polls/{poll.id}").status_code == 404
    assert "Gold only question" not in client.get("/polls").get_data(as_text=True)
    with pytest.raises(Refused):
        cast_ballot(outsider, poll, option_ids(poll)[:1])
    db.session.rollback()
    login(client, make_user(plan_id=gold.id))
    assert client.get(f"/polls/{poll.id}").status_code == 200
    assert "Gold only question" in client.get("/polls").get_data(as_text=True)


def test_a_poll_under_a_hidden_question_goes_with_it(client, team, make_user):
    question = make_question(title="A question that will be hidden soon enough")
    poll = a_poll(team, subject=("question", question.id))
    question.review_state = "hidden"
    db.session.commit()
    login(client, make_user())
    assert client.get(f"/polls/{poll.id}").status_code == 404
    assert poll.title not in client.get("/polls").get_data(as_text=True)


def test_polls_show_under_ideas_events_and_announcements(client, team):
    idea = make_idea(title="Export to Excel")
    poll = a_poll(team, title="Which Excel version?", subject=("idea", idea.id))
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert f'href="/polls/{poll.id}"' in page and "0 voters" in page
    announcement = Announcement(
        title="News", body="Hi", body_html="<p>Hi</p>", audience="everyone", author=team
    )
    db.session.add(announcement)
    db.session.commit()
    under = a_poll(team, title="Did you like the news?", subject=("announcement", announcement.id))
    page = client.get(f"/announcements/{announcement.id}").get_data(as_text=True)
    assert f'href="/polls/{under.id}"' in page


def test_members_do_not_start_polls(client, make_user):
    member = make_user()
    with pytest.raises(Refused):
        start_poll(member, title="Mine?", options=["A", "B"], multiple=False, results_after="voted")
    login(client, member)
    assert client.get("/polls/new").status_code == 403


def test_concurrent_ballots_count_each_member_once(app, team, make_user):
    poll = a_poll(team)
    poll_id, (csv, excel, json) = poll.id, option_ids(poll)
    voters = [make_user().id for _ in range(8)]
    repeat = make_user().id

    def vote(index: int) -> None:
        from portal.accounts.models import User

        found = db.session.get(Poll, poll_id)
        cast_ballot(db.session.get(User, voters[index]), found, [csv])
        db.session.commit()
        found = db.session.get(Poll, poll_id)  # one member changing their mind in every thread
        cast_ballot(db.session.get(User, repeat), found, [[excel], [json]][index % 2])
        db.session.commit()

    assert run_concurrently(app, vote, threads=8) == []
    db.session.expire_all()
    tally = results(db.session.get(Poll, poll_id))
    assert tally.voters == 9
    assert tally.tallies[0].votes == 8
    assert tally.tallies[1].votes + tally.tallies[2].votes == 1


def test_the_log_says_who_voted_never_what(team, make_user):
    poll = a_poll(team)
    member = make_user()
    cast_ballot(member, poll, option_ids(poll)[:1])
    db.session.commit()
    event = db.session.scalar(select(ActivityEvent).where(ActivityEvent.kind == "poll.voted"))
    assert event.actor_id == member.id and event.subject_id == poll.id
    assert not event.data or "CSV" not in str(event.data)


def test_results_by_plan_and_company(team, make_user, make_plan):
    gold = make_plan("Gold")
    poll = a_poll(team)
    csv, excel, _ = option_ids(poll)
    for user, choice in [
        (make_user(plan_id=gold.id, company="Acme"), csv),
        (make_user(plan_id=gold.id, company="Acme"), csv),
        (make_user(company="Initech"), excel),
    ]:
        cast_ballot(user, poll, [choice])
    db.session.commit()
    rows = [(r.option, r.plan, r.company, r.votes) for r in results_by_segment(poll)]
    assert rows == [("CSV", "Gold", "Acme", 2), ("Excel", "No plan", "Initech", 1)]


def test_a_poll_past_its_closing_time_shows_results_to_everyone(client, team, make_user):
    poll = a_poll(team, results_after="closed", closes_at=utcnow() + timedelta(minutes=5))
    cast_ballot(make_user(), poll, option_ids(poll)[:1])
    poll.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    page = client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert "Closed" in page and "poll-results" in page
