"""Every metric against small hand-built data with known answers (same on SQLite and PostgreSQL)."""

from datetime import date, datetime

import pytest
from werkzeug.datastructures import MultiDict

from portal.activity.models import ActivityEvent
from portal.extensions import db
from portal.insights import metrics
from portal.insights.filters import InsightsFilters, parse_filters
from portal.search.models import SearchQuery

TODAY = date(2026, 3, 31)


def event(kind: str, when: str, actor=None, area=None) -> None:
    db.session.add(
        ActivityEvent(
            kind=kind,
            created_at=datetime.fromisoformat(when),
            actor_id=actor.id if actor else None,
            product_area_id=area.id if area else None,
        )
    )


def search(query: str, results: int, when: str, user=None) -> None:
    db.session.add(
        SearchQuery(
            query=query,
            results=results,
            created_at=datetime.fromisoformat(when),
            user_id=user.id if user else None,
        )
    )


def march() -> InsightsFilters:
    return InsightsFilters(since=date(2026, 3, 1), until=date(2026, 3, 31), period="custom")


def test_event_counts_and_previous_period(app, make_area):
    event("question.asked", "2026-03-01 00:00:00")  # first moment included
    event("question.asked", "2026-03-31 23:59:59")  # last moment included
    event("question.asked", "2026-04-01 00:00:00")  # next day: excluded
    event("answer.posted", "2026-03-10 12:00:00")
    event("question.asked", "2026-02-15 09:00:00")  # previous 31 days
    event("user.registered", "2026-03-10 12:00:00")  # not counted
    db.session.commit()
    assert metrics.event_counts(march()) == {
        "question.asked": 2,
        "answer.posted": 1,
        "idea.suggested": 0,
        "idea.voted": 0,
    }
    assert metrics.event_counts(march(), previous=True)["question.asked"] == 1


def test_activity_by_day_and_week_fills_empty_buckets(app):
    event("idea.voted", "2026-03-02 10:00:00")
    event("idea.voted", "2026-03-02 11:00:00")
    event("idea.voted", "2026-03-04 10:00:00")
    event("idea.suggested", "2026-03-09 10:00:00")
    db.session.commit()
    days = {s.label: s for s in metrics.activity_over_time(march(), by="day")}
    assert len(days["Idea votes"].x) == 31
    assert days["Idea votes"].y[:4] == [0, 2, 0, 1]
    weeks = {s.label: s for s in metrics.activity_over_time(march(), by="week")}
    assert weeks["Idea votes"].x[:3] == [date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9)]
    assert weeks["Idea votes"].y[:3] == [0, 3, 0]
    assert weeks["Ideas"].y[:3] == [0, 0, 1]


def test_area_and_plan_filters(app, make_area, make_user, make_plan):
    billing, mobile = make_area("Billing"), make_area("Mobile")
    pro = make_plan("Pro")
    pro_user, free_user = make_user(plan_id=pro.id), make_user()
    event("question.asked", "2026-03-05 10:00:00", actor=pro_user, area=billing)
    event("question.asked", "2026-03-05 10:00:00", actor=free_user, area=billing)
    event("question.asked", "2026-03-05 10:00:00", actor=pro_user, area=mobile)
    db.session.commit()
    scoped = march()
    scoped.area = billing
    assert metrics.event_counts(scoped)["question.asked"] == 2
    scoped.plan = pro
    assert metrics.event_counts(scoped)["question.asked"] == 1


def test_search_gaps_with_counts_and_trend(app):
    for _ in range(3):
        search("dark mode", 0, "2026-03-10 10:00:00")
    search("dark mode", 0, "2026-02-20 10:00:00")  # previous period
    search("sso login", 0, "2026-03-11 10:00:00")
    search("sso login", 0, "2026-03-12 10:00:00")
    search("invoices", 4, "2026-03-12 10:00:00")  # found plenty: not a gap
    search("csv export", 1, "2026-03-12 10:00:00")  # found little
    search("old gap", 0, "2026-02-10 10:00:00")  # only before the period
    db.session.commit()
    gaps = metrics.search_gaps(march())
    assert [(g.query, g.searches, g.previous_searches, g.trend) for g in gaps] == [
        ("dark mode", 3, 1, 2),
        ("sso login", 2, 0, 2),
    ]
    assert [(g.query, g.searches, g.results) for g in metrics.few_results(march())] == [
        ("csv export", 1, 1)
    ]
    assert metrics.search_totals(march()) == {"searches": 7, "no_results": 5}


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"period": "custom", "since": "2026-13-01"}, "since", "must be a date like"),
        ({"period": "custom", "since": "2026-03-10", "until": "2026-03-01"}, "until", "before"),
        ({"period": "custom", "since": "2019-01-01", "until": "2026-03-01"}, "since", "three"),
        ({"period": "forever"}, "period", "Choose one of the listed periods."),
        ({"area": "no-such-area"}, "area", "There is no product area"),
        ({"plan": "platinum"}, "plan", "There is no plan"),
    ],
)
def test_bad_filters_are_explained_and_defaults_used(app, args, field, message):
    filters = parse_filters(MultiDict(args), today=TODAY)
    assert message in filters.errors[field]
    assert filters.since <= filters.until


def test_period_shortcuts(app):
    filters = parse_filters(MultiDict({"period": "7"}), today=TODAY)
    assert (filters.since, filters.until, filters.days) == (date(2026, 3, 25), TODAY, 7)
    custom = parse_filters(MultiDict({"since": "2026-01-01", "until": "2026-01-31"}), today=TODAY)
    assert (custom.period, custom.days, custom.previous().since) == (
        "custom",
        31,
        date(2025, 12, 1),
    )
