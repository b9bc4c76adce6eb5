"""Insight queries: SQL aggregates over activity events, the search log and the content tables.

Every function takes InsightsFilters and returns plain data (lists, dicts, numbers), so figures
and reports are built from the same numbers and tests can check them against hand-built rows.
Dates are bucketed by day in SQL (`date()` exists on SQLite and PostgreSQL) and by week in Python.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import g
from sqlalchemy import Float, String, and_, case, cast, exists, func, literal, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from portal.accounts.models import Plan, Role, User
from portal.database import broad
from portal.extensions import db
from portal.ideas.models import OPEN_STATUSES, Idea, IdeaComment, IdeaQuestion, IdeaStatus, IdeaVote
from portal.insights.filters import InsightsFilters
from portal.insights.models import ActivityDay, IdeaDemand
from portal.markdown import excerpt
from portal.search.models import SearchQuery
from portal.support.models import Answer, Question
from portal.taxonomy.models import ProductArea

# The activity the dashboard counts: a label per event kind.
ACTIVITY_KINDS = {
    "question.asked": "Questions",
    "answer.posted": "Answers",
    "idea.suggested": "Ideas",
    "idea.voted": "Idea votes",
}
FEW_RESULTS = 2  # a search that finds at most this many results "found little"
# Ideas counted first when ranking a period's votes: enough that both top tens are usually
# settled by them (see _top_and_rising).
SCOUTED_IDEAS = 100
BROAD_VOTE_RANGE = timedelta(days=60)  # see _votes_between and _top_and_rising


def as_date(value) -> date:
    """SQLite's date() gives 'YYYY-MM-DD'; PostgreSQL's gives a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _day_scope(stmt, filters: InsightsFilters, since: date, until: date):
    """Rollup rows for the days since..until (inclusive), in the area, by actors on the plan."""
    stmt = stmt.where(
        ActivityDay.day >= since,
        ActivityDay.day <= until,
        ActivityDay.kind.in_(ACTIVITY_KINDS),
    )
    if filters.area is not None:
        stmt = stmt.where(ActivityDay.product_area_id == filters.area.id)
    if filters.plan is not None:
        stmt = stmt.where(ActivityDay.plan_id == filters.plan.id)
    return stmt


def event_counts(filters: InsightsFilters, previous: bool = False) -> dict[str, int]:
    """How many events of each counted kind happened in the period (or the one before).

    Read from the daily rollup (activity_days), whose plan is the actor's plan when they acted."""
    scope = filters.previous() if previous else filters
    stmt = _day_scope(
        db.select(ActivityDay.kind, func.sum(ActivityDay.events)),
        filters,
        scope.since,
        scope.until,
    ).group_by(ActivityDay.kind)
    counts = dict.fromkeys(ACTIVITY_KINDS, 0)
    counts.update({kind: int(n or 0) for kind, n in db.session.execute(stmt)})
    return counts


@dataclass
class Series:
    label: str
    x: list[date]
    y: list[int]


def activity_over_time(filters: InsightsFilters, by: str = "day") -> list[Series]:
    """One series per counted kind, with a zero for every day (or week) without activity."""
    stmt = _day_scope(
        db.select(ActivityDay.kind, ActivityDay.day, func.sum(ActivityDay.events)),
        filters,
        filters.since,
        filters.until,
    ).group_by(ActivityDay.kind, ActivityDay.day)
    per_day: dict[str, Counter] = {kind: Counter() for kind in ACTIVITY_KINDS}
    for kind, bucket, count in db.session.execute(stmt):
        per_day[kind][as_date(bucket)] += int(count)
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


def _search_gap_rankings(filters: InsightsFilters, limit: int) -> dict[str, list[SearchGap]]:
    """The `limit` most frequent searches of the period that found nothing ("nothing") and
    that found 1 to FEW_RESULTS results ("few"), with their count in the previous period, in
    one query kept for the request. Searches are counted per text and outcome once (a CTE);
    both rankings are taken from it in SQL, so only their rows come back."""
    memo, key = _request_memo(f"search_gaps_{limit}", filters)
    if key in memo:
        return memo[key]
    previous = filters.previous()
    in_period = SearchQuery.created_at >= filters.start
    found_nothing = SearchQuery.results == 0
    counted = (
        db.select(
            SearchQuery.query.label("query"),
            found_nothing.label("found_nothing"),
            func.sum(case((in_period, 1), else_=0)).label("searches"),
            func.sum(case((in_period, 0), else_=1)).label("previous"),
            func.max(SearchQuery.results).label("results"),
            func.max(SearchQuery.created_at).label("last"),
        )
        .where(
            SearchQuery.source == "search",
            SearchQuery.results <= FEW_RESULTS,
            SearchQuery.created_at >= previous.start,
            SearchQuery.created_at < filters.end,
        )
        .group_by(SearchQuery.query, found_nothing)
    )
    if filters.plan is not None:
        counted = counted.join(User, User.id == SearchQuery.user_id).where(
            User.plan_id == filters.plan.id
        )
    counted = counted.cte("counted")
    nothing = (
        db.select(
            literal("nothing").label("ranking"),
            counted.c.query,
            counted.c.searches,
            counted.c.previous,
            counted.c.results,
            counted.c.last,
        )
        .where(counted.c.found_nothing, counted.c.searches > 0)
        .order_by(counted.c.searches.desc(), counted.c.query)
        .limit(limit)
    )
    # A text that found nothing some times and a little other times found a little.
    searches = func.sum(counted.c.searches)
    few = (
        db.select(
            literal("few").label("ranking"),
            counted.c.query,
            searches,
            func.sum(counted.c.previous),
            func.max(counted.c.results),
            func.max(counted.c.last),
        )
        .group_by(counted.c.query)
        .having(and_(searches > 0, func.max(counted.c.results) > 0))
        .order_by(searches.desc(), counted.c.query)
        .limit(limit)
    )
    rankings: dict[str, list[SearchGap]] = {"nothing": [], "few": []}
    stmt = union_all(db.select(nothing.subquery()), db.select(few.subquery()))
    for ranking, query, searches_, previous_, results, last in db.session.execute(stmt):
        rankings[ranking].append(
            SearchGap(query, int(searches_), int(previous_ or 0), int(results or 0), last)
        )
    for rows in rankings.values():
        rows.sort(key=lambda row: (-row.searches, row.query))
    memo[key] = rankings
    return rankings


def search_gaps(filters: InsightsFilters, limit: int = 15) -> list[SearchGap]:
    """The most frequent searches that found nothing, with the count in the previous period
    for the trend. Searches have no product area; the plan filter applies."""
    return _search_gap_rankings(filters, limit)["nothing"]


def few_results(filters: InsightsFilters, limit: int = 15) -> list[SearchGap]:
    """The most frequent searches that found 1 to FEW_RESULTS results (counting the times
    the same words found nothing), with the previous period's count."""
    return _search_gap_rankings(filters, limit)["few"]


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


# Support health ----------------------------------------------------------------------------


def median(values: list[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count); None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _question_scope(stmt, filters: InsightsFilters):
    """Questions asked in the period (not deleted), in the area, by an asker on the plan."""
    stmt = stmt.where(
        Question.live(),
        Question.created_at >= filters.start,
        Question.created_at < filters.end,
    )
    if filters.area is not None:
        stmt = stmt.where(Question.product_area_id == filters.area.id)
    if filters.plan is not None:
        stmt = stmt.join(User, User.id == Question.author_id).where(User.plan_id == filters.plan.id)
    return stmt


@dataclass
class AreaHealth:
    area: str
    slug: str | None
    questions: int
    solved: int
    unanswered: int
    median_first_answer_hours: float | None
    median_accepted_hours: float | None

    @property
    def solved_rate(self) -> float:
        return self.solved / self.questions if self.questions else 0.0


class hours_between(FunctionElement):
    """Hours from one timestamp to another, computed by the database (SQL has no portable
    form): reading two datetimes per row into Python cost more than the whole query."""

    type = Float()
    inherit_cache = True


@compiles(hours_between, "sqlite")
def _hours_between_sqlite(element, compiler, **kw):
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 24)"


@compiles(hours_between, "postgresql")
def _hours_between_postgresql(element, compiler, **kw):
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS double precision) / 3600)"


def _hours_list(hours) -> ColumnElement:
    """Every non-empty value of `hours` in a group, as one comma-separated string: a group's
    values come back in one row (thousands of rows, each read while holding the GIL, slowed
    down the dashboard's other thread more than the query itself)."""
    return func.aggregate_strings(cast(hours, String), ",")


def _floats(joined: str | None) -> list[float]:
    return [float(value) for value in joined.split(",")] if joined else []


def support_health(filters: InsightsFilters) -> list[AreaHealth]:
    """Per product area, for the questions asked in the period: how many were solved, how many
    open ones have no answer yet, and the median hours to the first and the accepted answer.

    Each question carries its first and accepted answer times (kept by triggers on answers),
    so this reads the period's questions from one index, one row per area; the medians are
    taken in Python so they are the same on SQLite and PostgreSQL."""
    waiting = and_(Question.first_answer_at.is_(None), Question.closed_at.is_(None))
    stmt = _question_scope(
        db.select(
            Question.product_area_id,
            func.count(),
            func.count(Question.solved_at),
            func.sum(case((waiting, 1), else_=0)),  # a closed question waits for nobody
            _hours_list(hours_between(Question.created_at, Question.first_answer_at)),
            _hours_list(hours_between(Question.created_at, Question.solved_at)),
        ),
        filters,
    ).group_by(Question.product_area_id)
    areas = db.select(ProductArea.id, ProductArea.name, ProductArea.slug)
    names = {area_id: (name, slug) for area_id, name, slug in db.session.execute(areas)}
    rows = [
        AreaHealth(
            *names[area_id],
            int(questions),
            int(solved),
            int(unanswered or 0),
            median(_floats(first)),
            median(_floats(accepted)),
        )
        for area_id, questions, solved, unanswered, first, accepted in db.session.execute(stmt)
    ]
    rows.sort(key=lambda row: (-row.unanswered, -row.questions, row.area))
    return rows


@dataclass
class QuestionRow:
    id: int
    title: str
    area: str
    created_at: datetime
    view_count: int
    answer_count: int


def oldest_unanswered(filters: InsightsFilters, limit: int = 10) -> list[QuestionRow]:
    """Open questions asked in the period that nobody has answered yet, oldest first."""
    stmt = (
        db.select(
            Question.id,
            Question.title,
            ProductArea.name,
            Question.created_at,
            Question.view_count,
            Question.answer_count,
        )
        .join(ProductArea, ProductArea.id == Question.product_area_id)
        .where(Question.first_answer_at.is_(None), Question.closed_at.is_(None))
        .order_by(Question.created_at, Question.id)
        .limit(limit)
    )
    stmt = _question_scope(stmt, filters)
    return [QuestionRow(*row) for row in db.session.execute(stmt)]


def most_viewed_unsolved(filters: InsightsFilters, limit: int = 10) -> list[QuestionRow]:
    """Questions asked in the period without an accepted answer, most viewed first."""
    stmt = (
        db.select(
            Question.id,
            Question.title,
            ProductArea.name,
            Question.created_at,
            Question.view_count,
            Question.answer_count,
        )
        .join(ProductArea, ProductArea.id == Question.product_area_id)
        .where(~Question.is_solved, Question.closed_at.is_(None), Question.view_count > 0)
        .order_by(Question.view_count.desc(), Question.id)
        .limit(limit)
    )
    stmt = _question_scope(stmt, filters)
    return [QuestionRow(*row) for row in db.session.execute(stmt)]


# Idea demand -------------------------------------------------------------------------------


@dataclass
class IdeaVotes:
    id: int
    title: str
    status: str
    votes: int  # cast in the period
    previous_votes: int  # cast in the period before
    total_votes: int  # all time, imported included

    @property
    def velocity(self) -> int:
        return self.votes - self.previous_votes

    @property
    def status_label(self) -> str:
        return IdeaStatus(self.status).label


def _vote_bounds(filters: InsightsFilters):
    """Ideas in the area with their bound: their live votes, summed from the idea_demand rollup
    (kept by triggers), so no period holds more. A subquery of idea_id and bound, ideas without
    votes left out."""
    bound = func.sum(IdeaDemand.voters).label("bound")
    stmt = db.select(IdeaDemand.idea_id.label("idea_id"), bound).group_by(IdeaDemand.idea_id)
    if filters.area is not None:
        stmt = stmt.join(Idea, Idea.id == IdeaDemand.idea_id).where(
            Idea.product_area_id == filters.area.id
        )
    return stmt.having(bound > 0).subquery("bounds")


def _period_votes(filters: InsightsFilters, candidates) -> list[tuple[int, IdeaVotes]]:
    """(bound, votes) for each candidate idea: its votes in the period and in the period
    before, an index range each."""

    def count_between(start: datetime, end: datetime):
        return (
            db.select(func.count())
            .select_from(IdeaVote)
            .where(
                IdeaVote.idea_id == Idea.id, IdeaVote.created_at >= start, IdeaVote.created_at < end
            )
            .scalar_subquery()
        )

    ideas = candidates.subquery()
    stmt = db.select(
        ideas.c.bound,
        Idea.id,
        Idea.title,
        Idea.status,
        count_between(filters.start, filters.end),
        count_between(filters.previous().start, filters.start),
        Idea.vote_count + Idea.imported_votes,
    ).join(ideas, ideas.c.idea_id == Idea.id)
    return [
        (bound, IdeaVotes(i, t, s, int(now), int(before), int(total)))
        for bound, i, t, s, now, before, total in db.session.execute(stmt)
    ]


def _nth_largest(values: list[int], n: int) -> int:
    """The n-th largest positive value, or 1 when fewer are positive."""
    positive = sorted((value for value in values if value > 0), reverse=True)
    return positive[n - 1] if len(positive) >= n else 1


def _votes_between(start: datetime, end: datetime) -> tuple:
    """Conditions for votes cast from `start` to before `end`. Months of votes are a broad share
    of all (see portal.database.broad): SQLite then reads them from an index in the order the
    query groups them (idea by idea, voter by voter) instead of reading the range and sorting
    it, which is faster from about two months on (90 days: 72 against 140 ms) and slower for
    a few weeks."""
    wide = broad if end - start >= BROAD_VOTE_RANGE else and_
    return wide(IdeaVote.created_at >= start), wide(IdeaVote.created_at < end)


def _rank_every_vote(filters: InsightsFilters, limit: int) -> tuple[list, list]:
    """Top and rising ideas from every vote of both periods, in one query.

    Votes are counted per idea once (a CTE), then the two rankings are taken from it in SQL, so
    only their rows reach Python."""
    previous = filters.previous()
    in_period = IdeaVote.created_at >= filters.start
    per_idea = db.select(
        IdeaVote.idea_id.label("idea_id"),
        func.sum(case((in_period, 1), else_=0)).label("now"),
        func.sum(case((in_period, 0), else_=1)).label("before"),
    ).where(*_votes_between(previous.start, filters.end))
    if filters.plan is not None:
        per_idea = per_idea.join(User, User.id == IdeaVote.user_id).where(
            User.plan_id == filters.plan.id
        )
    per_idea = per_idea.group_by(IdeaVote.idea_id).cte("per_idea")
    total = Idea.vote_count + Idea.imported_votes
    gain = per_idea.c.now - per_idea.c.before

    def ranking(condition, *order):
        stmt = (
            db.select(
                Idea.id,
                Idea.title,
                Idea.status,
                per_idea.c.now,
                per_idea.c.before,
                total.label("total"),
            )
            .join(per_idea, per_idea.c.idea_id == Idea.id)
            .where(condition)
            .order_by(*order, Idea.id)
            .limit(limit)
        )
        if filters.area is not None:
            stmt = stmt.where(Idea.product_area_id == filters.area.id)
        return db.select(stmt.subquery())

    stmt = union_all(
        ranking(per_idea.c.now > 0, per_idea.c.now.desc(), total.desc()),
        ranking(gain > 0, gain.desc(), per_idea.c.now.desc()),
    )
    ideas = {
        i: IdeaVotes(i, t, s, int(now or 0), int(before or 0), int(votes or 0))
        for i, t, s, now, before, votes in db.session.execute(stmt)
    }  # an idea in both rankings comes twice
    return _rank(ideas.values(), limit)


def _rank(ideas, limit: int) -> tuple[list[IdeaVotes], list[IdeaVotes]]:
    """The top and the rising `limit` of `ideas` (each idea once)."""
    top = sorted((r for r in ideas if r.votes > 0), key=lambda r: (-r.votes, -r.total_votes, r.id))
    rising = sorted(
        (r for r in ideas if r.velocity > 0), key=lambda r: (-r.velocity, -r.votes, r.id)
    )
    return top[:limit], rising[:limit]


def _top_and_rising(filters: InsightsFilters, limit: int) -> tuple[list, list]:
    """The `limit` ideas with the most votes in the period, and the `limit` gaining the most
    against the period before (kept for the request: both panels read it)."""
    memo, key = _request_memo(f"top_and_rising_{limit}", filters)
    if key not in memo:
        # A few weeks' lists end with few votes, so many ideas could still enter them: scouting
        # would not settle them. With a plan each scouted vote's voter would be looked up.
        scouted = None
        if filters.end - filters.start >= BROAD_VOTE_RANGE and filters.plan is None:
            scouted = _scout(filters, limit)
        memo[key] = scouted if scouted is not None else _rank_every_vote(filters, limit)
    return memo[key]


def _scout(filters: InsightsFilters, limit: int) -> tuple[list, list] | None:
    """Both lists from the SCOUTED_IDEAS with the highest bounds, or None if other ideas could
    still enter them.

    Counting every vote of both periods took a third of the dashboard, yet a few ideas get most
    votes, and no idea gets or gains more in a period than its bound (see _vote_bounds). An
    idea whose bound is below both lists' last entries among the scouted cannot enter either
    (a threshold algorithm)."""
    bounds = _vote_bounds(filters)
    counted = _period_votes(
        filters, db.select(bounds).order_by(bounds.c.bound.desc()).limit(SCOUTED_IDEAS)
    )
    ideas = [row for _, row in counted]
    if len(counted) == SCOUTED_IDEAS:
        threshold = min(
            _nth_largest([row.votes for row in ideas], limit),
            _nth_largest([row.velocity for row in ideas], limit),
        )
        if min(bound for bound, _ in counted) >= threshold:
            return None
    return _rank(ideas, limit)


def _request_memo(name: str, filters: InsightsFilters) -> tuple[dict, tuple]:
    """A dict that lives as long as the app context (a request, or a dashboard thread) and this
    query's key in it: panels that read the same aggregate (top and rising ideas; voters by
    plan and by company; answers by author) run its query once per page."""
    memo = g.setdefault("insights_memo", {})
    return memo, (name, *filters.cache_key())


def top_ideas(filters: InsightsFilters, limit: int = 10) -> list[IdeaVotes]:
    """The ideas with the most votes cast in the period (ties: most votes in all)."""
    return _top_and_rising(filters, limit)[0]


def rising_ideas(filters: InsightsFilters, limit: int = 10) -> list[IdeaVotes]:
    """Ideas gaining votes faster than in the previous period (largest increase first)."""
    return _top_and_rising(filters, limit)[1]


def demand_by_area(filters: InsightsFilters) -> list[tuple[str, int, int]]:
    """(area, votes cast in the period, distinct voters), most votes first.

    The votes are read idea by idea, ideas in area order, each idea's votes in the period an
    index range with their voters: rows arrive grouped by area, with no lookup per vote and no
    sort (SQLite needs telling that the period is broad, or it reads the period's votes first
    and sorts them: twice the time at 100,000 votes)."""
    stmt = (
        db.select(
            Idea.product_area_id,
            func.count(IdeaVote.id),
            func.count(func.distinct(IdeaVote.user_id)),
        )
        .select_from(Idea)
        .join(IdeaVote, IdeaVote.idea_id == Idea.id)
        .where(
            broad(IdeaVote.created_at >= filters.start), broad(IdeaVote.created_at < filters.end)
        )
        .group_by(Idea.product_area_id)
    )
    if filters.area is not None:
        stmt = stmt.where(Idea.product_area_id == filters.area.id)
    if filters.plan is not None:
        stmt = stmt.join(User, User.id == IdeaVote.user_id).where(User.plan_id == filters.plan.id)
    names = dict(db.session.execute(db.select(ProductArea.id, ProductArea.name)).all())
    rows = [
        (names.get(area_id, "No area"), int(votes), int(voters))
        for area_id, votes, voters in db.session.execute(stmt)
    ]
    rows.sort(key=lambda row: (-row[1], row[0]))
    return rows


def _voter_groups(filters: InsightsFilters) -> list[tuple]:
    """(plan name, plan position, company, distinct voters, votes) for the period's voters
    (on ideas in the area; on the plan): one query behind voters by plan and by company."""
    memo, key = _request_memo("voter_groups", filters)
    if key in memo:
        return memo[key]
    per_voter = db.select(IdeaVote.user_id.label("user_id"), func.count().label("votes")).where(
        *_votes_between(filters.start, filters.end)
    )
    if filters.area is not None:
        per_voter = per_voter.join(Idea, Idea.id == IdeaVote.idea_id).where(
            Idea.product_area_id == filters.area.id
        )
    per_voter = per_voter.group_by(IdeaVote.user_id).subquery()
    stmt = (
        db.select(Plan.name, Plan.position, User.company, func.count(), func.sum(per_voter.c.votes))
        .select_from(per_voter)
        .join(User, User.id == per_voter.c.user_id)
        .outerjoin(Plan, Plan.id == User.plan_id)
        .group_by(Plan.id, Plan.name, Plan.position, User.company)
    )
    if filters.plan is not None:
        stmt = stmt.where(User.plan_id == filters.plan.id)
    memo[key] = rows = [tuple(row) for row in db.session.execute(stmt)]
    return rows


def voters_by_plan(filters: InsightsFilters) -> list[tuple[str, int, int]]:
    """(plan, distinct voters, votes) in the period; people without a plan under "No plan"."""
    totals: dict[tuple, list[int]] = {}
    for name, position, _company, voters, votes in _voter_groups(filters):
        total = totals.setdefault((name, position), [0, 0])
        total[0] += int(voters)
        total[1] += int(votes)
    ordered = sorted(totals.items(), key=lambda i: (i[0][0] is None, i[0][1] or 0, i[0][0] or ""))
    return [(name or "No plan", voters, votes) for (name, _), (voters, votes) in ordered]


def voters_by_company(filters: InsightsFilters, limit: int = 15) -> list[tuple[str, int, int]]:
    """(company, distinct voters, votes) in the period for voters who gave a company."""
    totals: dict[str, list[int]] = {}
    for _name, _position, company, voters, votes in _voter_groups(filters):
        if company:
            total = totals.setdefault(company, [0, 0])
            total[0] += int(voters)
            total[1] += int(votes)
    rows = [(company, voters, votes) for company, (voters, votes) in totals.items()]
    rows.sort(key=lambda row: (-row[1], -row[2], row[0]))
    return rows[:limit]


def status_funnel(filters: InsightsFilters) -> list[tuple[str, int]]:
    """How many ideas are in each status now (merged ones left out), in the workflow's order."""
    stmt = (
        db.select(Idea.status, func.count(Idea.id))
        .where(Idea.status != IdeaStatus.MERGED)
        .group_by(Idea.status)
    )
    if filters.area is not None:
        stmt = stmt.where(Idea.product_area_id == filters.area.id)
    counts = dict(db.session.execute(stmt).all())
    return [
        (status.label, int(counts.get(status.value, 0)))
        for status in IdeaStatus
        if status is not IdeaStatus.MERGED
    ]


@dataclass
class ShippedIdea:
    id: int
    title: str
    area: str | None
    shipped_at: datetime
    votes: int


def shipped_ideas(filters: InsightsFilters) -> list[ShippedIdea]:
    """Ideas moved to Shipped in the period (and still shipped), most recent first."""
    stmt = (
        db.select(
            Idea.id,
            Idea.title,
            ProductArea.name,
            Idea.status_changed_at,
            Idea.vote_count + Idea.imported_votes,
        )
        .outerjoin(ProductArea, ProductArea.id == Idea.product_area_id)
        .where(
            Idea.status == IdeaStatus.SHIPPED,
            Idea.status_changed_at >= filters.start,
            Idea.status_changed_at < filters.end,
        )
        .order_by(Idea.status_changed_at.desc(), Idea.id)
    )
    if filters.area is not None:
        stmt = stmt.where(Idea.product_area_id == filters.area.id)
    return [ShippedIdea(*row) for row in db.session.execute(stmt)]


# Contributors ------------------------------------------------------------------------------

TEAM_ROLES = (Role.STAFF, Role.PRODUCT, Role.MANAGER, Role.ADMIN)


def _answer_scope(stmt, filters: InsightsFilters):
    """Answers posted in the period (not deleted), to questions in the area."""
    stmt = stmt.where(
        Answer.live(),
        Answer.created_at >= filters.start,
        Answer.created_at < filters.end,
    )
    if filters.area is not None:
        stmt = stmt.join(Question, Question.id == Answer.question_id).where(
            Question.product_area_id == filters.area.id
        )
    return stmt


@dataclass
class Contributor:
    id: int
    name: str
    role: str
    answers: int
    accepted: int


TOP_ANSWERERS = 10  # the panel's length; the staff share reads the same query


def _contributors(filters: InsightsFilters, limit: int) -> tuple[list[Contributor], dict]:
    """The top `limit` answerers of the period and the team's and everyone's answer totals, in
    one query (kept for the request: both panels read it). Answers are counted per author once,
    in a CTE the three parts read; only authors who can make the top (at least as many answers
    as the `limit`-th author) and the team's few members are looked up in users."""
    memo, key = _request_memo(f"contributors_{limit}", filters)
    if key in memo:
        return memo[key]
    authors = _answer_scope(
        db.select(
            Answer.author_id.label("author_id"),
            func.count().label("answers"),
            func.sum(case((Answer.is_accepted, 1), else_=0)).label("accepted"),
        ),
        filters,
    )
    authors = authors.group_by(Answer.author_id).cte("authors")
    top = (
        db.select(
            literal("top").label("part"),
            User.id,
            User.display_name,
            User.role,
            authors.c.answers,
            authors.c.accepted,
        )
        .join(authors, authors.c.author_id == User.id)
        .order_by(authors.c.answers.desc(), User.display_name)
        .limit(limit)
    )
    if filters.plan is not None:
        top = top.where(User.plan_id == filters.plan.id)
    else:
        enough = (
            db.select(authors.c.answers)
            .where(authors.c.author_id.is_not(None))
            .order_by(authors.c.answers.desc())
            .offset(limit - 1)
            .limit(1)
            .scalar_subquery()
        )
        top = top.where(authors.c.answers >= func.coalesce(enough, 0))
    team = db.select(User.id).where(User.role.in_([str(role) for role in TEAM_ROLES]))

    def totals(part: str, *where):
        return db.select(
            literal(part).label("part"),
            literal(None).label("id"),
            literal(None).label("display_name"),
            literal(None).label("role"),
            func.sum(authors.c.answers),
            func.sum(authors.c.accepted),
        ).where(*where)

    # The share has no plan filter (the team has no customer plan); answers by deleted
    # accounts are the community's.
    stmt = union_all(
        db.select(top.subquery()),
        totals("team", authors.c.author_id.in_(team)),
        totals("all"),
    )
    contributors, sums = [], {}
    for part, i, name, role, answers, accepted in db.session.execute(stmt):
        if part == "top":
            contributors.append(
                Contributor(i, name, Role(role).label, int(answers), int(accepted or 0))
            )
        else:
            sums[part] = (int(answers or 0), int(accepted or 0))
    contributors.sort(key=lambda row: (-row.answers, row.name))
    (team_answers, team_accepted), (answers, accepted) = sums["team"], sums["all"]
    share = {
        "Team": {"answers": team_answers, "accepted": team_accepted},
        "Community": {"answers": answers - team_answers, "accepted": accepted - team_accepted},
    }
    memo[key] = result = (contributors, share)
    return result


def top_answerers(filters: InsightsFilters, limit: int = TOP_ANSWERERS) -> list[Contributor]:
    """Who answered most in the period, with how many of those answers were accepted."""
    return _contributors(filters, limit)[0]


def answer_share(filters: InsightsFilters) -> dict[str, dict[str, int]]:
    """Answers and accepted answers in the period by the team (staff, product, admin) and by
    the community (everyone else, deleted accounts included)."""
    return _contributors(filters, TOP_ANSWERERS)[1]


# Demand score ------------------------------------------------------------------------------


@dataclass
class DemandScore:
    id: int
    title: str
    status: str
    voters: int
    askers: int
    people: int  # distinct voters and askers
    score: float

    @property
    def status_label(self) -> str:
        return IdeaStatus(self.status).label


def demand_scores(filters: InsightsFilters, limit: int = 15) -> list[DemandScore]:
    """Per open idea: the distinct people who voted for it or asked a linked support question,
    each counted once with their plan's weight (no plan: 1). All time: demand accumulates.

    Voters come from the idea_demand rollup (live votes per idea and voter plan, kept by
    triggers), summed per idea in its key order; askers from the few linked questions, less
    those who also voted. The two are joined per idea, then ranked."""
    weight = func.coalesce(Plan.weight, 1.0)
    voters = db.select(
        IdeaDemand.idea_id.label("idea_id"),
        func.sum(IdeaDemand.voters).label("voters"),
        func.sum(IdeaDemand.voters * weight).label("score"),
    ).outerjoin(Plan, Plan.id == IdeaDemand.plan_id)
    if filters.plan is not None:
        voters = voters.where(IdeaDemand.plan_id == filters.plan.id)
    voters = voters.group_by(IdeaDemand.idea_id).cte("voters")
    # Askers: a few thousand links, each followed by primary key (scalar subqueries keep both
    # databases on index lookups instead of scanning every question and user).
    author = (
        db.select(Question.author_id)
        .where(Question.id == IdeaQuestion.question_id, Question.live())
        .scalar_subquery()
    )
    asker_pairs = (
        db.select(IdeaQuestion.idea_id.label("idea_id"), author.label("user_id"))
        .distinct()
        .subquery()
    )
    asker_plan = db.select(User.plan_id).where(User.id == asker_pairs.c.user_id).scalar_subquery()
    asker_weight = func.coalesce(
        db.select(Plan.weight)
        .join(User, User.plan_id == Plan.id)
        .where(User.id == asker_pairs.c.user_id)
        .scalar_subquery(),
        1.0,
    )
    voted = exists().where(
        IdeaVote.idea_id == asker_pairs.c.idea_id, IdeaVote.user_id == asker_pairs.c.user_id
    )
    askers = (
        db.select(
            asker_pairs.c.idea_id.label("idea_id"),
            func.count().label("askers"),
            func.sum(case((voted, 0), else_=1)).label("people"),
            func.sum(case((voted, 0.0), else_=asker_weight)).label("score"),
        )
        .where(asker_pairs.c.user_id.is_not(None))
        .group_by(asker_pairs.c.idea_id)
    )
    if filters.plan is not None:
        askers = askers.where(asker_plan == filters.plan.id)
    askers = askers.cte("askers")
    # Ideas with voters (nearly all: an author votes for their idea) are read from the voter
    # sums, joined to ideas by key; the few with askers only are added. Driving from every
    # open idea instead made SQLite index the voter sums for each (77 against 57 ms).
    open_idea = Idea.status.in_([status.value for status in OPEN_STATUSES])
    has_voters = exists().where(IdeaDemand.idea_id == askers.c.idea_id)
    if filters.plan is not None:
        has_voters = has_voters.where(IdeaDemand.plan_id == filters.plan.id)
    with_voters = (
        db.select(
            Idea.id,
            Idea.title,
            Idea.status,
            voters.c.voters,
            func.coalesce(askers.c.askers, 0).label("askers"),
            (voters.c.voters + func.coalesce(askers.c.people, 0)).label("people"),
            (voters.c.score + func.coalesce(askers.c.score, 0.0)).label("score"),
        )
        .select_from(voters)
        .join(Idea, Idea.id == voters.c.idea_id)
        .outerjoin(askers, askers.c.idea_id == voters.c.idea_id)
        .where(open_idea)
    )
    askers_only = (
        db.select(
            Idea.id,
            Idea.title,
            Idea.status,
            literal(0),
            askers.c.askers,
            askers.c.people,
            askers.c.score,
        )
        .select_from(askers)
        .join(Idea, Idea.id == askers.c.idea_id)
        .where(open_idea, ~has_voters)
    )
    if filters.area is not None:
        with_voters = with_voters.where(Idea.product_area_id == filters.area.id)
        askers_only = askers_only.where(Idea.product_area_id == filters.area.id)
    scored = union_all(with_voters, askers_only).subquery()
    stmt = (
        db.select(scored)
        .where(scored.c.people > 0)
        .order_by(scored.c.score.desc(), scored.c.id)
        .limit(limit)
    )
    return [
        DemandScore(i, t, s, int(v or 0), int(a or 0), int(p), round(float(w or 0), 2))
        for i, t, s, v, a, p, w in db.session.execute(stmt)
    ]


# Quotes for the report ---------------------------------------------------------------------


def idea_quotes(idea_ids: list[int], length: int = 200) -> dict[int, tuple[str, str, bool]]:
    """Per idea, a comment to quote: the official response if there is one, else the most
    recent comment, shortened. Returns {idea_id: (author name, text, is_official)}; one query."""
    if not idea_ids:
        return {}
    ranked = (
        db.select(
            IdeaComment.idea_id,
            IdeaComment.body_html,
            IdeaComment.is_official,
            User.display_name,
            func.row_number()
            .over(
                partition_by=IdeaComment.idea_id,
                order_by=(
                    IdeaComment.is_official.desc(),
                    IdeaComment.created_at.desc(),
                    IdeaComment.id.desc(),
                ),
            )
            .label("rank"),
        )
        .outerjoin(User, User.id == IdeaComment.author_id)
        .where(IdeaComment.idea_id.in_(idea_ids))
        .subquery()
    )
    stmt = db.select(
        ranked.c.idea_id, ranked.c.body_html, ranked.c.is_official, ranked.c.display_name
    ).where(ranked.c.rank == 1)
    quotes = {}
    for idea_id, html, official, name in db.session.execute(stmt):
        quotes[idea_id] = (name or "A former member", excerpt(html, length), bool(official))
    return quotes
