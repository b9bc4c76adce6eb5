"""An event planned in one zone, seen from another: the page says the planned time and the
viewer's own, across a daylight-saving change."""

from datetime import datetime

import pytest
from playwright.sync_api import expect

from portal.accounts.models import Role
from portal.events.services import save_event
from portal.extensions import db
from tests.e2e.conftest import ARTIFACTS


@pytest.mark.parametrize(
    ("day", "planned", "tokyo"),
    [
        # New York is on standard time (UTC-5) on 8 March 2031, on summer time (UTC-4) on
        # the 10th; Tokyo has no daylight saving (UTC+9): 10:00 there is midnight or 23:00.
        (8, "10:00 to 11:00 EST", "00:00"),
        (10, "10:00 to 11:00 EDT", "23:00"),
    ],
)
def test_a_viewer_in_another_zone_sees_their_own_time(
    live_server, browser, make_user, day, planned, tokyo
):
    event = save_event(
        make_user(Role.STAFF),
        None,
        kind="event",
        title="Release walkthrough",
        body="What is new.",
        starts=datetime(2031, 3, day, 10, 0),
        ends=datetime(2031, 3, day, 11, 0),
        time_zone="America/New_York",
        location=None,
        online_url="https://meet.example.com/release",
        area_id=None,
        capacity=None,
    )
    db.session.commit()
    context = browser.new_context(timezone_id="Asia/Tokyo", locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server}/events/{event.id}")
    expect(page.locator(".event__planned")).to_contain_text(planned)
    local = page.locator(".event__local")
    expect(local).to_be_visible()
    expect(local).to_contain_text(f"{tokyo} GMT+9")
    expect(local).to_contain_text("Asia/Tokyo")
    page.screenshot(path=str(ARTIFACTS / f"event-seen-from-tokyo-{day}.png"), full_page=True)
    context.close()
