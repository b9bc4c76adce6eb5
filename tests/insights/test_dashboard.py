from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from portal.activity.models import ActivityEvent
from portal.clock import utcnow
from portal.extensions import db
from portal.insights.panels import PANELS, SECTIONS
from portal.search.models import SearchQuery
from tests.conftest import login
from tests.factories import make_idea, make_question


@pytest.fixture
def product(client, make_user):
    user = make_user("product")
    login(client, user)
    return user


def test_dashboard_shows_headline_charts_and_tables(client, product):
    now = utcnow()
    for days in (1, 2, 2, 40):
        db.session.add(ActivityEvent(kind="question.asked", created_at=now - timedelta(days=days)))
    db.session.add(SearchQuery(query="dark mode", results=0, created_at=now - timedelta(days=1)))
    db.session.commit()
    response = client.get("/insights?period=30")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Activity per day" in page and 'id="figure-activity"' in page
    assert "Searches that found nothing" in page and "dark mode" in page
    assert "Show the numbers" in page
    assert "vs 1 in the previous 30 days" in page  # 3 questions now, 1 before


def test_empty_dashboard_explains_itself(client, product):
    page = client.get("/insights").get_data(as_text=True)
    assert "No questions, answers, ideas or votes in this period." in page
    assert "Every search in this period found something." in page


def test_bad_filters_get_a_message_not_a_500(client, product):
    response = client.get("/insights?period=custom&since=2026-05-01&until=2026-04-01&area=nope")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The end date is before the start date." in page
    assert "There is no product area “nope”" in page


@pytest.mark.parametrize(
    ("since", "until"), [("9999-12-25", "9999-12-31"), ("0001-01-01", "0001-01-31")]
)
def test_dates_at_the_ends_of_the_calendar_get_a_message_not_a_500(client, product, since, until):
    for path in ("/insights", "/insights/report", "/insights/data/activity.csv"):
        response = client.get(f"{path}?period=custom&since={since}&until={until}")
        assert response.status_code < 500, path
    page = client.get(f"/insights?period=custom&since={since}&until={until}").get_data(as_text=True)
    assert "must be a date from 1970 to 2999" in page


def test_csv_export_of_a_panel(client, product):
    db.session.add(SearchQuery(query="sso", results=0, created_at=utcnow()))
    db.session.commit()
    response = client.get("/insights/data/search-gaps.csv?period=7")
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "Search,Searches,Previous period,Trend,Last searched"
    assert lines[1].startswith("sso,1,0,1,")
    assert client.get("/insights/data/nope.csv").status_code == 404


def test_dashboard_panels_for_support_and_ideas(client, product, make_area, make_plan):
    area = make_area("Billing")
    question = make_question(area=area, title="Why was my invoice charged twice?")
    make_idea(title="Export invoices as PDF", area=area)
    page = client.get("/insights?period=30").get_data(as_text=True)
    for title in (
        "Support health by product area",
        "Oldest unanswered questions",
        "Top ideas by votes cast in the period",
        "Demand score per open idea",
        "Ideas by status",
        "Top answerers",
        "Staff share of answers",
    ):
        assert title in page
    assert f'href="/questions/{question.id}"' in page
    assert "Demand score = the sum" in page  # the formula beside the score
    assert "Nobody answered a question in this period." in page
    assert "The plan filter does not apply here" in page
    csv_text = client.get("/insights/data/oldest-unanswered.csv?period=7").get_data(as_text=True)
    assert csv_text.splitlines()[1].startswith("Why was my invoice charged twice?,Billing,")


def test_dashboard_statements_do_not_grow_with_rows(client, product, make_area, count_queries):
    area = make_area()
    make_question(area=area)
    make_idea(area=area)
    with count_queries() as few:
        client.get("/insights")
    for _ in range(4):
        make_question(area=make_area())
        make_idea(area=area)
    with count_queries() as more:
        client.get("/insights")
    assert more.count == few.count


def test_dashboard_has_sections_and_a_navigation_to_them(client, product):
    page = BeautifulSoup(client.get("/insights").text, "html.parser")
    nav = page.find("nav", attrs={"aria-label": "Dashboard sections"})
    assert nav is not None and "insights-nav" in nav["class"]
    links = [a["href"] for a in nav.find_all("a")]
    assert links == [f"#insights-{section.key}" for section in SECTIONS]
    for section in SECTIONS:
        element = page.find("section", id=f"insights-{section.key}")
        assert element.find("h2").get_text(strip=True) == section.title
        titles = element.find_all("h3", class_="panel__title")
        assert [h3["id"] for h3 in titles] == [f"panel-{key}" for key in section.panels]
    named = [key for section in SECTIONS for key in section.panels]
    assert sorted(named) == sorted(PANELS)  # every panel in exactly one section
