"""Insights for the community features: poll participation, poll answers by plan and company,
and event attendance. The dashboard is shared by the team: only public polls appear."""

import csv
import io
from datetime import timedelta

import pytest

from portal.accounts.models import Role
from portal.announcements.models import Announcement
from portal.clock import utcnow
from portal.events.services import respond, save_event
from portal.extensions import db
from portal.polls.services import cast_ballot, start_poll
from tests.conftest import login


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def product(client, make_user):
    user = make_user(Role.PRODUCT)
    login(client, user)
    return user


def test_poll_answers_by_plan_and_company(client, product, make_user, make_plan):
    gold = make_plan("Gold")
    poll = start_poll(
        product,
        title="Which export?",
        options=["CSV", "Excel"],
        multiple=False,
        results_after="closed",
    )
    csv_option, excel_option = (option.id for option in poll.options)
    for user, choice in [
        (make_user(plan_id=gold.id, company="=cmd|' /C calc'!A0"), csv_option),
        (make_user(plan_id=gold.id, company="Acme"), csv_option),
        (make_user(company="Acme"), excel_option),
    ]:
        cast_ballot(user, poll, [choice])
    db.session.commit()
    table = rows(client.get("/insights/data/poll-segments.csv?period=7").text)
    assert table[0] == ["Poll", "Answer", "Plan", "Company", "Votes"]
    assert sorted(table[1:]) == sorted(
        [
            ["Which export?", "CSV", "Gold", "'=cmd|' /C calc'!A0", "1"],
            ["Which export?", "CSV", "Gold", "Acme", "1"],
            ["Which export?", "Excel", "No plan", "Acme", "1"],
        ]
    )
    participation = rows(client.get("/insights/data/poll-participation.csv?period=7").text)
    assert participation[1][0] == "Which export?" and participation[1][4:] == ["3", "CSV", "67%"]
    gold_only = rows(
        client.get(f"/insights/data/poll-participation.csv?period=7&plan={gold.slug}").text
    )
    assert gold_only[1][4:] == ["2", "CSV", "100%"]
    page = client.get("/insights?period=7").get_data(as_text=True)
    assert 'id="insights-community"' in page and "Which export?" in page


def test_a_poll_under_a_plan_announcement_stays_out_of_insights(
    client, product, make_user, make_plan
):
    staff = make_user(Role.STAFF)
    announcement = Announcement(
        title="Gold news",
        body="Hi",
        body_html="<p>Hi</p>",
        audience="plan",
        audience_id=make_plan("Gold").id,
        author=staff,
    )
    db.session.add(announcement)
    db.session.commit()
    start_poll(
        staff,
        title="A Gold-only poll",
        options=["Yes", "No"],
        multiple=False,
        results_after="voted",
        subject=("announcement", announcement.id),
    )
    db.session.commit()
    assert (
        "A Gold-only poll" not in client.get("/insights/data/poll-participation.csv?period=7").text
    )
    assert "A Gold-only poll" not in client.get("/insights?period=7").get_data(as_text=True)


def test_event_attendance(client, product, make_user, make_area):
    area = make_area("Mobile")
    staff = make_user(Role.STAFF)
    start = utcnow() + timedelta(hours=2)
    event = save_event(
        staff,
        None,
        kind="ama",
        title="AMA with the mobile team",
        body="Ask.",
        starts=start.replace(second=0, microsecond=0),
        ends=start + timedelta(hours=1),
        time_zone="UTC",
        location=None,
        online_url="https://meet.example/x",
        area_id=area.id,
        capacity=1,
    )
    db.session.commit()
    for answer in ["going", "going", "maybe"]:
        respond(make_user(), event, answer)
    db.session.commit()
    table = rows(
        client.get(
            "/insights/data/event-attendance.csv?period=custom&since="
            f"{start.date().isoformat()}&until={start.date().isoformat()}"
        ).text
    )
    assert table[1] == [
        "AMA with the mobile team",
        "AMA",
        start.date().isoformat(),
        "Mobile",
        "1",
        "1",
        "1",
        "1",
        "0",
    ]
