from datetime import timedelta

from playwright.sync_api import expect

from portal.clock import utcnow
from portal.extensions import db
from portal.insights.models import ActivityEvent
from portal.search.models import SearchQuery
from tests.factories import PASSWORD


def test_dashboard_draws_its_charts(live_server, page, make_user):
    user = make_user("product", email="pm@example.com")
    now = utcnow()
    for days in range(20):
        for kind in ("question.asked", "answer.posted", "idea.voted")[: 1 + days % 3]:
            db.session.add(ActivityEvent(kind=kind, created_at=now - timedelta(days=days)))
    for query in ("dark mode", "dark mode", "sso"):
        db.session.add(SearchQuery(query=query, results=0, created_at=now))
    db.session.commit()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/insights")
    expect(page.locator("#chart-activity .main-svg").first).to_be_attached()
    expect(page.locator("#chart-search-gaps .main-svg").first).to_be_attached()
    assert page.locator("#chart-activity .scatterlayer .trace").count() == 4
    page.screenshot(path="/tmp/insights-dashboard.png", full_page=True)
    assert errors == []
