"""Badges: awarded by the worker after the activity that earns them, once, with a notice; and
the month's leaderboards, which members may stay off."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role, User
from portal.badges.awards import award_due
from portal.badges.models import BadgeAward
from portal.clock import utcnow
from portal.events.services import respond, save_event
from portal.extensions import db
from portal.ideas.services import change_status
from portal.moderation.models import ReviewItem
from portal.moderation.services import decide, flag_post
from portal.notifications.models import Notification
from portal.search.index import searchers
from portal.search.indexer import apply_pending
from portal.support.services import accept_answer, post_answer
from tests.concurrency import run_concurrently
from tests.conftest import login
from tests.factories import make_idea, make_question


@pytest.fixture
def app_config() -> dict:
    return {"BADGES": True}


def badges(user) -> set[str]:
    return set(db.session.scalars(select(BadgeAward.badge).where(BadgeAward.user_id == user.id)))


def answer_accepted(answerer, asker=None):
    question = make_question(author=asker)
    answer = post_answer(question, answerer, "Restart the sync from the settings page.")
    db.session.commit()
    accept_answer(answer, question.author)
    db.session.commit()
    return answer


def test_a_first_accepted_answer_earns_solver_once_with_a_notice(make_user):
    answerer = make_user()
    answer_accepted(answerer)
    award_due()
    assert {"solver", "helper"} <= badges(answerer)
    notices = db.session.scalars(
        select(Notification.title).where(
            Notification.user_id == answerer.id, Notification.kind == "badge.awarded"
        )
    ).all()
    assert any("Solver" in title for title in notices)
    answer_accepted(answerer)
    award_due()
    assert (
        db.session.scalar(
            select(func.count()).where(
                BadgeAward.user_id == answerer.id, BadgeAward.badge == "solver"
            )
        )
        == 1
    )


def test_ten_accepted_answers_earn_expert(make_user):
    answerer = make_user()
    for _ in range(9):
        answer_accepted(answerer)
    award_due()
    assert "expert" not in badges(answerer)
    answer_accepted(answerer)
    award_due()
    assert "expert" in badges(answerer)


def test_ideas_planned_and_shipped(make_user):
    author, product = make_user(), make_user(Role.PRODUCT)
    idea = make_idea(author)
    change_status(idea, "planned", note="", by=product)
    db.session.commit()
    award_due()
    assert "visionary" in badges(author) and "shipper" not in badges(author)
    change_status(idea, "shipped", note="", by=product)
    db.session.commit()
    award_due()
    assert "shipper" in badges(author)


def test_a_flag_a_moderator_upholds_earns_helpful_flagger(make_user):
    flagger, staff = make_user(), make_user(Role.STAFF)
    question = make_question(title="Buy cheap watches at my shop, best prices online")
    flag_post(flagger, "question", question.id, reason="spam")
    db.session.commit()
    award_due()
    assert "helpful-flagger" not in badges(flagger)  # open, not yet upheld
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.post_id == question.id))
    decide(item.id, "hide", staff)
    db.session.commit()
    award_due()
    assert "helpful-flagger" in badges(flagger)


def test_going_to_an_event_that_ended_earns_attendee(make_user):
    staff, member, waiting = make_user(Role.STAFF), make_user(), make_user()
    start = (utcnow() + timedelta(hours=1)).replace(second=0, microsecond=0)
    event = save_event(
        staff,
        None,
        kind="event",
        title="Meetup",
        body="Hi.",
        starts=start,
        ends=start + timedelta(hours=1),
        time_zone="UTC",
        location="Paris",
        online_url=None,
        area_id=None,
        capacity=1,
    )
    respond(member, event, "going")
    respond(waiting, event, "going")  # on the waitlist
    db.session.commit()
    award_due()
    assert "attendee" not in badges(member)
    event.starts_at, event.ends_at = start - timedelta(hours=3), start - timedelta(hours=2)
    db.session.commit()
    award_due()
    assert "attendee" in badges(member) and "attendee" not in badges(waiting)


def test_workers_at_the_same_moment_award_each_badge_once(app, make_user):
    answerers = [make_user() for _ in range(3)]
    for answerer in answerers:
        answer_accepted(answerer)
    ids = [answerer.id for answerer in answerers]

    def round_(_index: int) -> None:
        award_due()

    assert run_concurrently(app, round_, threads=4) == []
    db.session.expire_all()
    counts = db.session.execute(
        select(BadgeAward.user_id, func.count())
        .where(BadgeAward.badge == "solver", BadgeAward.user_id.in_(ids))
        .group_by(BadgeAward.user_id)
    ).all()
    assert sorted(count for _, count in counts) == [1, 1, 1]
    notices = db.session.scalar(
        select(func.count()).where(
            Notification.kind == "badge.awarded",
            Notification.user_id.in_(ids),
            Notification.title.contains("Solver"),
        )
    )
    assert notices == 3
    # The counts beside their names follow the awards exactly: each has Helper and Solver.
    tiers = db.session.execute(
        select(User.bronze_badges, User.silver_badges, User.gold_badges).where(User.id.in_(ids))
    ).all()
    assert [tuple(row) for row in tiers] == [(2, 0, 0)] * 3


def test_the_badges_earned_show_beside_the_name_and_link_to_them(client, make_user):
    answerer = make_user(display_name="Grace")
    answer = answer_accepted(answerer)
    award_due()
    page = client.get(f"/questions/{answer.question_id}").get_data(as_text=True)
    assert 'class="badge-count badge-count--bronze" title="2 bronze badges"' in page
    assert f'href="/users/{answerer.id}#badges"' in page

    listing = client.get("/badges").get_data(as_text=True)
    assert 'href="/badges/solver"' in listing and "earned by 1 member" in listing
    solver = client.get("/badges/solver").get_data(as_text=True)
    assert "Grace" in solver and "earned by 1 member" in solver
    answerer.suspended_at = utcnow()
    db.session.commit()
    assert "Grace" not in client.get("/badges/solver").get_data(as_text=True)
    assert client.get("/badges/no-such-badge").status_code == 404
    assert client.get("/badges/%00").status_code == 404


def test_badges_members_earned_are_found_in_search(client, runner, make_user):
    assert runner.invoke(args=["search", "rebuild"]).exit_code == 0
    assert "Solver badge" not in client.get("/search?q=solver").get_data(as_text=True)
    answer_accepted(make_user())
    award_due()
    apply_pending()  # the award asked for its badge's document
    page = client.get("/search?q=solver&type=badge").get_data(as_text=True)
    searchers().close()
    assert 'href="/badges/solver"' in page and "Solver badge" in page
    assert '<span class="search-hit__type">Badge</span>' in page
    assert runner.invoke(args=["search", "rebuild"]).exit_code == 0
    assert "Solver badge" in client.get("/search?q=solver").get_data(as_text=True)
    searchers().close()


def test_the_profile_lists_badges(client, make_user):
    answerer = make_user()
    answer_accepted(answerer)
    award_due()
    page = client.get(f"/users/{answerer.id}").get_data(as_text=True)
    assert 'id="badges"' in page and "Solver" in page and "Had a first answer accepted" in page
    activity = page[page.index("Recent activity") :]
    assert "Earned the badge" in activity and "Solver" in activity


def test_the_leaderboard_lists_the_months_top_answerers_but_not_who_opted_out(client, make_user):
    top, second, shy, suspended = (make_user(display_name=n) for n in ("Ada", "Bo", "Cy", "Di"))
    for _ in range(2):
        answer_accepted(top)
    answer_accepted(second)
    answer_accepted(shy)
    answer_accepted(suspended)
    shy.on_leaderboards = False
    suspended.suspended_at = utcnow()
    db.session.commit()
    page = client.get("/leaderboard").get_data(as_text=True)
    board = page[page.index('id="accepted-heading"') :]
    assert board.index("Ada") < board.index("Bo")
    assert "2 accepted answers" in board
    assert "Cy" not in page and "Di" not in page


@pytest.mark.parametrize("month", ["2026-13", "abc", "1999-01", "9999-01", "-", "1" * 40])
def test_a_month_that_cannot_be_read_shows_this_month(client, month):
    response = client.get("/leaderboard", query_string={"month": month})
    assert response.status_code == 200
    this_month = utcnow().strftime("%B %Y")
    assert f"Leaderboard: {this_month}" in response.get_data(as_text=True)


def test_a_month_with_a_control_character_is_refused_clearly(client):
    response = client.get("/leaderboard", query_string={"month": "2026-1\x00"})
    assert response.status_code == 400


def test_members_may_leave_the_leaderboards_in_their_settings(client, make_user):
    member = make_user()
    login(client, member)
    client.post("/settings", data={"display_name": member.display_name})
    db.session.refresh(member)
    assert member.on_leaderboards is False
    client.post("/settings", data={"display_name": member.display_name, "on_leaderboards": "y"})
    db.session.refresh(member)
    assert member.on_leaderboards is True


def test_insights_count_the_badges_awarded(client, make_user):
    answer_accepted(make_user())
    award_due()
    login(client, make_user(Role.PRODUCT))
    text = client.get("/insights/data/badges.csv?period=7").get_data(as_text=True)
    assert "Solver,Had a first answer accepted,bronze,1" in text
