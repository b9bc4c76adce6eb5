"""Events: planning in a time zone, answers with a capacity and a waitlist, calendar files."""

import threading
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from portal.accounts.models import Role
from portal.clock import utcnow
from portal.events.models import (
    AMA,
    EVENT,
    GOING,
    MAYBE,
    NOT_GOING,
    Event,
    EventQuestion,
    EventResponse,
)
from portal.events.queries import in_zone, waitlist_position
from portal.events.services import respond, save_event
from portal.extensions import db
from portal.notifications.models import Notification
from portal.writes import Refused
from tests.conftest import login

NEXT_YEAR = datetime.now().year + 1


def plan(author, **changes) -> Event:
    values = {
        "kind": EVENT,
        "title": "Office hours with the sync team",
        "body": "Bring your **sync** questions.",
        "starts": datetime(NEXT_YEAR, 6, 10, 17, 0),
        "ends": datetime(NEXT_YEAR, 6, 10, 18, 0),
        "time_zone": "Europe/Paris",
        "location": None,
        "online_url": "https://meet.example.com/sync",
        "area_id": None,
        "capacity": None,
    }
    values.update(changes)
    event = save_event(author, None, **values)
    db.session.commit()
    return event


@pytest.fixture
def staff(make_user):
    return make_user(Role.STAFF)


def test_a_time_is_kept_in_utc_with_the_zone_it_was_planned_in(app, staff):
    event = plan(staff)  # 17:00 in Paris in June is 15:00 UTC (summer time)
    assert event.starts_at == datetime(NEXT_YEAR, 6, 10, 15, 0)
    assert in_zone(event.starts_at, "America/New_York").strftime("%H:%M %Z") == "11:00 EDT"


def test_the_same_wall_clock_time_moves_in_utc_across_daylight_saving(app, staff):
    # New York switches to summer time on the second Sunday of March.
    winter = plan(
        staff,
        starts=datetime(2031, 3, 8, 10, 0),
        ends=datetime(2031, 3, 8, 11, 0),
        time_zone="America/New_York",
    )
    summer = plan(
        staff,
        starts=datetime(2031, 3, 10, 10, 0),
        ends=datetime(2031, 3, 10, 11, 0),
        time_zone="America/New_York",
    )
    assert winter.starts_at == datetime(2031, 3, 8, 15, 0)  # EST, UTC-5
    assert summer.starts_at == datetime(2031, 3, 10, 14, 0)  # EDT, UTC-4
    # A viewer in Paris (not yet on summer time then) sees 16:00 and then 15:00.
    assert in_zone(winter.starts_at, "Europe/Paris").strftime("%H:%M") == "16:00"
    assert in_zone(summer.starts_at, "Europe/Paris").strftime("%H:%M") == "15:00"


def test_a_time_the_clocks_skip_is_refused(app, staff):
    with pytest.raises(Refused, match="does not exist"):
        plan(
            staff,
            starts=datetime(2031, 3, 9, 2, 30),  # 02:00 to 03:00 does not happen that night
            ends=datetime(2031, 3, 9, 4, 0),
            time_zone="America/New_York",
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"ends": datetime(NEXT_YEAR, 6, 10, 16, 0)}, "ends"),
        ({"capacity": 0}, "capacity"),
        ({"online_url": None}, "location"),
        ({"kind": "party"}, "kind"),
    ],
)
def test_bad_plans_are_refused_on_their_field(app, staff, changes, field):
    with pytest.raises(Refused) as refused:
        plan(staff, **changes)
    assert refused.value.field == field


def test_members_cannot_plan_events(app, make_user):
    with pytest.raises(Refused):
        plan(make_user())


def test_past_capacity_going_joins_the_waitlist_and_moves_up_in_order(app, staff, make_user):
    event = plan(staff, capacity=2)
    first, second, third, fourth = (make_user() for _ in range(4))
    for member in (first, second, third, fourth):
        respond(member, event, GOING)
        db.session.commit()
    assert (event.going_count, event.waitlist_count) == (2, 2)
    waiting = db.session.scalars(
        select(EventResponse).where(EventResponse.waitlisted).order_by(EventResponse.id)
    ).all()
    assert [r.user_id for r in waiting] == [third.id, fourth.id]
    assert waitlist_position(event, waiting[1]) == 2
    respond(first, event, NOT_GOING)
    db.session.commit()
    assert (event.going_count, event.waitlist_count) == (2, 1)
    promoted = db.session.scalar(select(EventResponse).where(EventResponse.user_id == third.id))
    assert not promoted.waitlisted and promoted.response == GOING
    told = db.session.scalars(select(Notification).where(Notification.user_id == third.id))
    assert [n.kind for n in told] == ["event.place_freed"]
    # Going again keeps one's place; maybe gives it up.
    respond(second, event, GOING)
    respond(second, event, MAYBE)
    db.session.commit()
    assert (event.going_count, event.waitlist_count) == (2, 0)


def test_raising_the_capacity_lets_those_waiting_in(app, staff, make_user):
    event = plan(staff, capacity=1)
    members = [make_user() for _ in range(3)]
    for member in members:
        respond(member, event, GOING)
    db.session.commit()
    save_event(
        staff,
        event,
        kind=EVENT,
        title=event.title,
        body=event.body,
        starts=datetime(NEXT_YEAR, 6, 10, 17, 0),
        ends=datetime(NEXT_YEAR, 6, 10, 18, 0),
        time_zone="Europe/Paris",
        location=None,
        online_url=event.online_url,
        area_id=None,
        capacity=3,
    )
    db.session.commit()
    assert (event.going_count, event.waitlist_count) == (3, 0)


def test_an_event_that_is_over_takes_no_answers(app, staff, make_user):
    event = plan(staff)
    event.starts_at, event.ends_at = datetime(2020, 1, 1, 10), datetime(2020, 1, 1, 11)
    db.session.commit()
    with pytest.raises(Refused, match="over"):
        respond(make_user(), event, GOING)


def test_concurrent_answers_never_overfill_an_event(app, staff, make_user):
    event = plan(staff, capacity=3)
    member_ids = [make_user().id for _ in range(10)]
    event_id = event.id
    failures: list[str] = []

    def answer(user_id: int) -> None:
        from portal.accounts.models import User

        with app.app_context():
            try:
                respond(db.session.get(User, user_id), db.session.get(Event, event_id), GOING)
                db.session.commit()
            except Exception as error:  # pragma: no cover - reported below
                failures.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=answer, args=(uid,)) for uid in member_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    db.session.expire_all()
    event = db.session.get(Event, event_id)
    rows = db.session.scalars(select(EventResponse).where(EventResponse.event_id == event_id))
    going = [r for r in rows if not r.waitlisted]
    assert len(going) == event.going_count == 3
    assert event.waitlist_count == 7


def test_the_calendar_file_places_the_event_in_its_zone(app, client, staff):
    event = plan(staff)
    response = client.get(f"/events/{event.id}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    (entry,) = calendar.walk("VEVENT")
    assert str(entry["summary"]) == event.title
    assert entry["dtstart"].dt.isoformat() == f"{NEXT_YEAR}-06-10T17:00:00+02:00"
    assert entry["dtstart"].params["TZID"] == "Europe/Paris"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert str(entry["url"]) == f"http://localhost/events/{event.id}"


def test_the_feed_lists_upcoming_events_only(app, client, staff):
    coming = plan(staff)
    over = plan(staff, title="Last year's meetup")
    over.starts_at, over.ends_at = datetime(2020, 1, 1, 10), datetime(2020, 1, 1, 11)
    db.session.commit()
    calendar = Calendar.from_ical(client.get("/events.ics").data)
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == [coming.title]


def test_the_pages_show_times_and_take_answers(app, client, staff, make_user, make_area):
    event = plan(staff, kind=AMA, capacity=1, area_id=make_area().id)
    respond(make_user(), event, GOING)
    db.session.commit()
    listing = client.get("/events").get_data(as_text=True)
    assert event.title in listing and "1 going of 1" in listing
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "17:00 to 18:00 CEST (Europe/Paris)" in page
    assert f'datetime="{event.starts_at.isoformat()}Z"' in page
    assert "Ask Me Anything" in page
    member = make_user()
    login(client, member)
    response = client.post(f"/events/{event.id}/response", data={"response": GOING})
    assert response.status_code == 302
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "You are number 1 on the waitlist" in page


@pytest.mark.parametrize("value", ["", "yes", "\x00", "going" * 50])
def test_a_bad_answer_is_a_clear_error(app, client, staff, make_user, value):
    event = plan(staff)
    login(client, make_user())
    response = client.post(f"/events/{event.id}/response", data={"response": value})
    assert response.status_code in (200, 400)
    assert db.session.scalar(select(db.func.count(EventResponse.id))) == 0


def test_staff_plan_an_event_through_the_form(app, client, staff, make_area):
    area = make_area("Mobile", slug="mobile")
    login(client, staff)
    response = client.post(
        "/events/new",
        data={
            "kind": EVENT,
            "title": "Mobile app roadmap live",
            "body": "What is coming to the apps.",
            "starts": f"{NEXT_YEAR}-01-15T09:30",
            "ends": f"{NEXT_YEAR}-01-15T10:30",
            "time_zone": "Asia/Tokyo",
            "online_url": "https://meet.example.com/mobile",
            "area": str(area.id),
            "capacity": "",
        },
    )
    assert response.status_code == 302
    event = db.session.scalars(select(Event)).one()
    assert event.starts_at == datetime(NEXT_YEAR, 1, 15, 0, 30)  # JST is UTC+9
    assert event.product_area_id == area.id and event.capacity is None
    listing = client.get("/events?area=mobile").get_data(as_text=True)
    assert event.title in listing
    assert event.title not in client.get("/events?show=past").get_data(as_text=True)
    assert timedelta(hours=1) == event.ends_at - event.starts_at


def test_those_going_are_reminded_the_day_and_the_hour_before(app, staff, make_user):
    from portal.events.reminders import send_due_reminders
    from portal.mail.cli import _work
    from portal.mail.models import OutboxMail

    event = plan(staff, capacity=2)
    going, maybe, waiting, late = make_user(), make_user(), make_user(), make_user()
    respond(going, event, GOING)
    respond(maybe, event, MAYBE)
    respond(late, event, GOING)
    respond(waiting, event, GOING)  # third for two places: waits
    db.session.commit()

    def reminders(user) -> list[str]:
        rows = select(Notification.title).where(
            Notification.user_id == user.id, Notification.kind == "event.reminder"
        )
        return list(db.session.scalars(rows.order_by(Notification.id)))

    assert send_due_reminders() == 0  # weeks away
    event.starts_at = utcnow() + timedelta(hours=20)
    event.ends_at = event.starts_at + timedelta(hours=1)
    db.session.commit()
    assert send_due_reminders() == 2
    assert send_due_reminders() == 0  # never twice
    assert reminders(going) == [f"Tomorrow: {event.title}"]
    assert reminders(maybe) == reminders(waiting) == []
    event.starts_at = utcnow() + timedelta(minutes=40)
    db.session.commit()
    assert send_due_reminders() == 2
    assert reminders(going) == [f"Tomorrow: {event.title}", f"In an hour: {event.title}"]
    _work()  # the worker's round mails them, as the members' preferences say (at once)
    mailed = db.session.scalars(select(OutboxMail.to_address)).all()
    assert going.email in mailed and maybe.email not in mailed


def test_a_new_time_reminds_again(app, staff, make_user):
    from portal.events.reminders import send_due_reminders

    event = plan(staff)
    member = make_user()
    respond(member, event, GOING)
    event.starts_at = utcnow() + timedelta(hours=5)
    event.ends_at = event.starts_at + timedelta(hours=1)
    db.session.commit()
    assert send_due_reminders() == 1
    later = in_zone(utcnow() + timedelta(hours=10), "Europe/Paris").replace(tzinfo=None)
    later = later.replace(second=0, microsecond=0)
    save_event(
        staff,
        event,
        kind=EVENT,
        title=event.title,
        body=event.body,
        starts=later,
        ends=later + timedelta(hours=1),
        time_zone="Europe/Paris",
        location=None,
        online_url=event.online_url,
        area_id=None,
        capacity=None,
    )
    db.session.commit()
    assert send_due_reminders() == 1


def test_an_ama_needs_a_product_area(app, staff):
    with pytest.raises(Refused) as refused:
        plan(staff, kind=AMA)
    assert refused.value.field == "area"


@pytest.fixture
def ama(app, staff, make_area):
    return plan(staff, kind=AMA, area_id=make_area("Mobile app", slug="mobile-app").id)


def test_questions_asked_at_an_ama_join_the_qa_most_voted_first(app, client, ama, make_user):
    from portal.search.indexer import apply_pending
    from portal.search.queries import Filters, search
    from portal.support.models import Question
    from portal.support.services import cast_vote

    asker, other, voter = make_user(), make_user(), make_user()
    login(client, asker)
    response = client.post(
        f"/events/{ama.id}/questions",
        data={
            "title": "Will the Android app get offline mode?",
            "body": "We work on trains a lot and lose sync every time.",
        },
    )
    assert response.status_code == 302
    login(client, other)
    client.post(
        f"/events/{ama.id}/questions",
        data={
            "title": "Can reports be scheduled per team?",
            "body": "Each team lead wants their own weekly mail.",
        },
    )
    first, second = db.session.scalars(select(Question).order_by(Question.id)).all()
    assert first.product_area_id == ama.product_area_id and first.review_state is None
    cast_vote(voter, second, 1)
    db.session.commit()
    page = client.get(f"/events/{ama.id}").get_data(as_text=True)
    assert page.index(second.title) < page.index(first.title)  # most voted first
    apply_pending()
    found = search("offline mode android", Filters())
    assert first.id in [hit.id for hit in found.hits]  # a normal, searchable question


def test_members_vote_up_an_amas_questions_from_its_page(app, client, ama, make_user):
    from portal.support.models import Question
    from portal.support.services import ask_question

    asker = make_user()
    first, _ = ask_question(
        asker,
        title="Will sync work offline one day?",
        body="We lose sync on trains.",
        area=ama.product_area,
        tags=[],
        screening=None,
    )
    second, _ = ask_question(
        asker,
        title="Can we export reports to PDF?",
        body="Managers want PDF reports.",
        area=ama.product_area,
        tags=[],
        screening=None,
    )
    db.session.add_all([EventQuestion(event_id=ama.id, question_id=q.id) for q in (first, second)])
    db.session.commit()
    login(client, make_user())
    response = client.post(f"/events/{ama.id}/questions/{second.id}/vote", data={"value": "up"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#questions")
    page = client.get(f"/events/{ama.id}").get_data(as_text=True)
    assert page.index(second.title) < page.index(first.title)  # most voted first
    assert 'aria-pressed="true" aria-label="Take back your vote for: Can we export' in page
    client.post(f"/events/{ama.id}/questions/{second.id}/vote", data={"value": "withdraw"})
    db.session.expire_all()
    assert db.session.get(Question, second.id).score == 0
    login(client, asker)  # never on one's own question
    client.post(f"/events/{ama.id}/questions/{first.id}/vote", data={"value": "up"})
    db.session.expire_all()
    assert db.session.get(Question, first.id).score == 0
    other = plan(ama.author, title="Another session", kind=AMA, area_id=ama.product_area_id)
    assert client.post(f"/events/{other.id}/questions/{first.id}/vote").status_code == 404


def test_a_held_ama_question_is_shown_to_its_author_only(app, client, ama, make_user):
    from portal.support.models import Question

    newcomer = make_user(trust_level=0)
    login(client, newcomer)
    client.post(
        f"/events/{ama.id}/questions",
        data={
            "title": "Is there a discount for schools?",
            "body": "We are a small school and would like to try it out.",
        },
    )
    question = db.session.scalars(select(Question)).one()
    assert question.review_state == "pending"
    assert question.title in client.get(f"/events/{ama.id}").get_data(as_text=True)
    login(client, make_user())
    assert question.title not in client.get(f"/events/{ama.id}").get_data(as_text=True)


def test_only_an_open_ama_takes_questions(app, client, staff, make_user, ama):
    event = plan(staff)  # not an AMA
    login(client, make_user())
    data = {"title": "A question for a meetup?", "body": "Does a meetup take questions here?"}
    assert client.post(f"/events/{event.id}/questions", data=data).status_code == 404
    ama.starts_at, ama.ends_at = datetime(2020, 1, 1, 10), datetime(2020, 1, 1, 11)
    db.session.commit()
    response = client.post(f"/events/{ama.id}/questions", data=data, follow_redirects=True)
    assert "This session is over" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(EventQuestion.question_id))) == 0


def test_the_home_page_lists_upcoming_events(app, client, staff):
    coming = plan(staff, title="Roadmap webinar for admins")
    over = plan(staff, title="A meetup long gone")
    over.starts_at, over.ends_at = datetime(2020, 1, 1, 10), datetime(2020, 1, 1, 11)
    db.session.commit()
    panel = client.get("/").get_data(as_text=True)
    panel = panel[panel.index('id="home-events"') :]
    assert coming.title in panel and over.title not in panel


def test_the_events_list_costs_the_same_queries_for_many_events(
    app, client, staff, make_area, count_queries
):
    plan(staff, area_id=make_area().id)
    client.get("/events")  # settings and the like, loaded once
    db.session.expire_all()  # no row the test made is at hand for the page
    with count_queries() as few:
        client.get("/events")
    for n in range(5):
        plan(staff, title=f"Office hours number {n}", area_id=make_area().id)
    client.get("/events")
    db.session.expire_all()
    with count_queries() as many:
        assert "Office hours number 4" in client.get("/events").get_data(as_text=True)
    assert many.count == few.count
