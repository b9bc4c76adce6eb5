from datetime import timedelta

import pytest

from portal.clock import utcnow
from portal.extensions import db
from portal.insights.models import ActivityEvent
from portal.search.models import SearchQuery
from tests.conftest import login


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


def test_csv_export_of_a_panel(client, product):
    db.session.add(SearchQuery(query="sso", results=0, created_at=utcnow()))
    db.session.commit()
    response = client.get("/insights/data/search-gaps.csv?period=7")
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "Search,Searches,Previous period,Trend,Last searched"
    assert lines[1].startswith("sso,1,0,1,")
    assert client.get("/insights/data/nope.csv").status_code == 404


def test_plotly_is_served_by_the_app(client, product):
    response = client.get("/insights/plotly.min.js")
    assert response.status_code == 200 and b"plotly.js" in response.data[:200]
    response.close()
