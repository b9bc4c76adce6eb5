from datetime import timedelta

from playwright.sync_api import expect

from portal.activity.models import ActivityEvent
from portal.clock import utcnow
from portal.extensions import db
from portal.ideas.services import cast_vote
from portal.search.models import SearchQuery
from tests.e2e.conftest import log_in
from tests.factories import make_answer, make_idea, make_plan, make_question

# Panels that draw a chart once there are questions, answers, ideas, votes and searches.
CHARTED = [
    "activity",
    "support-health",
    "top-ideas",
    "demand-score",
    "demand-by-area",
    "voters-by-plan",
    "voters-by-company",
    "status-funnel",
    "contributors",
    "answer-share",
    "search-gaps",
]


def community(make_user, make_area) -> None:
    now = utcnow()
    for days in range(20):
        for kind in ("question.asked", "answer.posted", "idea.voted")[: 1 + days % 3]:
            db.session.add(ActivityEvent(kind=kind, created_at=now - timedelta(days=days)))
    for query in ("dark mode", "dark mode", "sso"):
        db.session.add(SearchQuery(query=query, results=0, created_at=now))
    db.session.commit()
    pro = make_plan("Pro", weight=3.0)
    billing = make_area("Billing")
    customers = [make_user(plan_id=pro.id, company="Northwind") for _ in range(3)]
    question = make_question(author=customers[0], area=billing)
    make_answer(question, author=customers[1])
    make_answer(question, author=make_user("staff"))
    for title in ("Dark mode for the mobile app", "Export reports as PDF"):
        idea = make_idea(customers[0], title=title, area=billing)
        for voter in customers[1:]:
            cast_vote(idea, voter)
    db.session.commit()


def test_dashboard_draws_its_charts(live_server, page, make_user, make_area):
    user = make_user("product", email="pm@example.com")
    community(make_user, make_area)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    plotly_loads = []
    page.on("request", lambda r: plotly_loads.append(r.url) if "plotly" in r.url else None)

    log_in(page, live_server, user.email)
    page.goto(f"{live_server}/insights")
    page.wait_for_load_state("networkidle")
    # Charts far below the screen are drawn only when they scroll into view.
    assert page.locator(f"#chart-{CHARTED[-1]} .main-svg").count() == 0
    for key in CHARTED:
        page.locator(f"#chart-{key}").scroll_into_view_if_needed()
        expect(page.locator(f"#chart-{key} .main-svg").first).to_be_attached()
    assert len(plotly_loads) == 1  # plotly.js fetched once, for the first chart
    assert page.locator("#chart-activity .scatterlayer .trace").count() == 4
    assert page.locator("#chart-top-ideas .bars path").count() == 2  # one bar per idea
    page.screenshot(path="/tmp/insights-dashboard.png", full_page=True)
    assert errors == []


def test_dashboard_and_report_fit_a_phone(live_server, browser, make_user, make_area):
    user = make_user("product", email="pm@example.com")
    community(make_user, make_area)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        log_in(page, live_server, user.email)
        for path in ("/insights", "/insights/report"):
            page.goto(f"{live_server}{path}")
            for details in page.locator("details.chart-panel__numbers").all():
                details.evaluate("el => el.open = true")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} is {width}px wide on a 390px screen"
            # Tables stack: each value shows its column's name beside it.
            first_cell = page.locator("table.data-table--stack td:nth-child(2)").first
            label = first_cell.evaluate("el => getComputedStyle(el, '::before').content")
            assert label not in ("none", "normal", "")
        page.screenshot(path="/tmp/insights-report-390.png", full_page=True)
    finally:
        context.close()


SMALL_TARGETS = """() => Array.from(
  document.querySelectorAll('main a, main button, main summary, main select, main .legendtoggle')
).map(el => [el.textContent.trim().slice(0, 40), el.getBoundingClientRect()])
 .filter(([, r]) => (r.width || r.height) && (r.width < 24 || r.height < 24))
 .map(([text, r]) => `${text} ${r.width}x${r.height}`)"""


def test_dashboard_on_a_phone_jumps_to_sections_with_room_to_tap(
    live_server, browser, make_user, make_area
):
    user = make_user("product", email="pm@example.com")
    community(make_user, make_area)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        log_in(page, live_server, user.email)
        page.goto(f"{live_server}/insights")
        nav = page.get_by_role("navigation", name="Dashboard sections")
        nav.get_by_role("link", name="Search gaps").click()
        heading = page.get_by_role("heading", name="Search gaps", level=2)
        expect(heading).to_be_in_viewport()
        # The navigation stays at the top, and the heading shows below it, not under it.
        nav_box, heading_box = nav.bounding_box(), heading.bounding_box()
        assert nav_box["y"] == 0 and heading_box["y"] >= nav_box["height"]
        for key in CHARTED:
            page.locator(f"#chart-{key}").scroll_into_view_if_needed()
            expect(page.locator(f"#chart-{key} .main-svg").first).to_be_attached()
        assert page.locator(".modebar").count() == 0  # no toolbar over the charts
        for details in page.locator("details.chart-panel__numbers").all():
            details.evaluate("el => el.open = true")
        assert page.evaluate(SMALL_TARGETS) == []
        page.screenshot(path="/tmp/insights-sections-390.png", full_page=True)
    finally:
        context.close()
