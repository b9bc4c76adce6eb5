"""Insight queries: SQL aggregates over activity events, the search log and the content tables.

Every function takes InsightsFilters and returns plain data (lists, dicts, numbers), so figures
and reports are built from the same numbers and tests can check them against hand-built rows.
Dates are bucketed by day in SQL (`date()` exists on SQLite and PostgreSQL) and by week in Python.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, func

from portal.accounts.models import User
from portal.extensions import db
from portal.insights.filters import InsightsFilters
from portal.insights.models import ActivityEvent
from portal.search.models import SearchQuery

# The activity the dashboard counts: a label per event kind.
ACTIVITY_KINDS = {
    "question.asked": "Questions",
    "answer.posted": "Answers",
    "idea.suggested": "Ideas",
    "idea.voted": "Idea votes",
}
FEW_RESULTS = 2  # a search that finds at most this many results "found little"


def as_date(value) -> date:
    """SQLite's date() gives 'YYYY-MM-DD'; PostgreSQL's gives a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _event_scope(stmt, filters: InsightsFilters, start, end):
    stmt = stmt.where(ActivityEvent.created_at >= start, ActivityEvent.created_at < end)
    if filters.area is not None:
        stmt = stmt.where(ActivityEvent.product_area_id == filters.area.id)
    if filters.plan is not None:
        stmt = stmt.join(User, User.id == ActivityEvent.actor_id).where(
            User.plan_id == filters.plan.id
        )
    return stmt


def event_counts(filters: InsightsFilters, previous: bool = False) -> dict[str, int]:
    """How many events of each counted kind happened in the period (or the one before)."""
    scope = filters.previous() if previous else filters
    stmt = db.select(ActivityEvent.kind, func.count(ActivityEvent.id)).where(
        ActivityEvent.kind.in_(ACTIVITY_KINDS)
    )
    stmt = _event_scope(stmt, filters, scope.start, scope.end).group_by(ActivityEvent.kind)
    counts = dict.fromkeys(ACTIVITY_KINDS, 0)
    counts.update(dict(db.session.execute(stmt).all()))
    return counts


@dataclass
class Series:
    label: str
    x: list[date]
    y: list[int]


def activity_over_time(filters: InsightsFilters, by: str = "day") -> list[Series]:
    """One series per counted kind, with a zero for every day (or week) without activity."""
    day = func.date(ActivityEvent.created_at)
    stmt = db.select(ActivityEvent.kind, day, func.count(ActivityEvent.id)).where(
        ActivityEvent.kind.in_(ACTIVITY_KINDS)
    )
    stmt = _event_scope(stmt, filters, filters.start, filters.end).group_by(ActivityEvent.kind, day)
    per_day: dict[str, Counter] = {kind: Counter() for kind in ACTIVITY_KINDS}
    for kind, bucket, count in db.session.execute(stmt):
        per_day[kind][as_date(bucket)] += count
    buckets = _buckets(filters.since, filters.until, by)
    series = []
    for kind, label in ACTIVITY_KINDS.items():
        totals = Counter()
        for day_value, count in per_day[kind].items():
            totals[_bucket_of(day_value, by)] += count
        series.append(Series(label, buckets, [totals[b] for b in buckets]))
    return series


def _bucket_of(day_value: date, by: str) -> date:
    return day_value - timedelta(days=day_value.weekday()) if by == "week" else day_value


def _buckets(since: date, until: date, by: str) -> list[date]:
    first = _bucket_of(since, by)
    step = timedelta(days=7 if by == "week" else 1)
    buckets = []
    current = first
    while current <= until:
        buckets.append(current)
        current += step
    return buckets


@dataclass
class SearchGap:
    query: str
    searches: int
    previous_searches: int
    results: int  # the most results any of these searches found
    last_searched: object

    @property
    def trend(self) -> int:
        return self.searches - self.previous_searches


def search_gaps(filters: InsightsFilters, max_results: int = 0, limit: int = 15) -> list[SearchGap]:
    """The most frequent searches that found at most `max_results` results, with the count in
    the previous period for the trend. Searches have no product area; the plan filter applies."""
    previous = filters.previous()
    in_period = and_(SearchQuery.created_at >= filters.start, SearchQuery.created_at < filters.end)
    in_previous = and_(
        SearchQuery.created_at >= previous.start, SearchQuery.created_at < previous.end
    )
    stmt = (
        db.select(
            SearchQuery.query,
            func.sum(case((in_period, 1), else_=0)).label("searches"),
            func.sum(case((in_previous, 1), else_=0)).label("previous"),
            func.max(SearchQuery.results),
            func.max(SearchQuery.created_at),
        )
        .where(
            SearchQuery.source == "search",
            SearchQuery.results <= max_results,
            SearchQuery.created_at >= previous.start,
            SearchQuery.created_at < filters.end,
        )
        .group_by(SearchQuery.query)
    )
    if filters.plan is not None:
        stmt = stmt.join(User, User.id == SearchQuery.user_id).where(
            User.plan_id == filters.plan.id
        )
    rows = [
        SearchGap(q, int(s or 0), int(p or 0), r, last)
        for q, s, p, r, last in db.session.execute(stmt)
    ]
    rows = [row for row in rows if row.searches > 0]
    rows.sort(key=lambda row: (-row.searches, row.query))
    return rows[:limit]


def search_totals(filters: InsightsFilters) -> dict[str, int]:
    stmt = db.select(
        func.count(SearchQuery.id),
        func.sum(case((SearchQuery.results == 0, 1), else_=0)),
    ).where(
        SearchQuery.source == "search",
        SearchQuery.created_at >= filters.start,
        SearchQuery.created_at < filters.end,
    )
    if filters.plan is not None:
        stmt = stmt.join(User, User.id == SearchQuery.user_id).where(
            User.plan_id == filters.plan.id
        )
    total, empty = db.session.execute(stmt).one()
    return {"searches": int(total or 0), "no_results": int(empty or 0)}
