"""Dashboard panels: a title that says what it shows, a figure, and the same numbers as a table
(for people who cannot or would rather not read a chart, and for CSV export)."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from portal.insights import charts, metrics
from portal.insights.filters import InsightsFilters


@dataclass(frozen=True)
class Link:
    """A table cell that links to a page (the template builds the URL; CSV keeps the text)."""

    text: str
    endpoint: str
    args: dict

    def __str__(self) -> str:
        return self.text


def question_link(question_id: int, title: str) -> Link:
    return Link(title, "support.question", {"question_id": question_id})


def idea_link(idea_id: int, title: str) -> Link:
    return Link(title, "ideas.idea", {"idea_id": idea_id})


def _hours(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _percent(part: int, whole: int) -> str:
    return f"{round(part * 100 / whole)}%" if whole else "—"


@dataclass
class Panel:
    key: str
    title: str
    description: str
    columns: list[str]
    rows: list[list]
    figure: charts.Figure | None = None
    empty: str = "Nothing happened in this period."
    notes: list[str] = field(default_factory=list)
    formula: str | None = None  # how a computed number is made, in words, shown beside it
    shown: int | None = None  # rows the page shows (the first ones); the CSV has every row

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def visible_rows(self) -> list[list]:
        return self.rows if self.shown is None else self.rows[: self.shown]


def activity_panel(filters: InsightsFilters) -> Panel:
    by = "week" if filters.days > 62 else "day"
    series = metrics.activity_over_time(filters, by=by)
    rows = [
        [bucket.isoformat(), *(line.y[i] for line in series)]
        for i, bucket in enumerate(series[0].x if series else [])
    ]
    has_activity = any(any(line.y) for line in series)
    return Panel(
        key="activity",
        title=f"Activity per {by}: questions, answers, ideas and idea votes",
        description="What the community did, counted from the activity log.",
        columns=[by.capitalize() + " starting", *(line.label for line in series)],
        rows=rows if has_activity else [],
        figure=charts.activity_figure(series) if has_activity else None,
        empty="No questions, answers, ideas or votes in this period. Try a longer period.",
    )


def search_gaps_panel(filters: InsightsFilters) -> Panel:
    gaps = metrics.search_gaps(filters)
    return Panel(
        key="search-gaps",
        title="Searches that found nothing",
        description="The most frequent searches with no results: content to write, or "
        "features people expect. Trend compares with the previous period.",
        columns=["Search", "Searches", "Previous period", "Trend", "Last searched"],
        rows=[[g.query, g.searches, g.previous_searches, g.trend, g.last_searched] for g in gaps],
        figure=charts.search_gaps_figure(gaps) if gaps else None,
        empty="Every search in this period found something.",
        notes=["Searches are not tied to a product area; the plan filter applies."],
    )


def few_results_panel(filters: InsightsFilters) -> Panel:
    gaps = metrics.few_results(filters)
    return Panel(
        key="search-few-results",
        title=f"Searches that found little (1 to {metrics.FEW_RESULTS} results)",
        description="Frequent searches with only a result or two: likely thin coverage.",
        columns=["Search", "Searches", "Previous period", "Trend", "Most results"],
        rows=[[g.query, g.searches, g.previous_searches, g.trend, g.results] for g in gaps],
        empty="No frequent searches with only a few results in this period.",
    )


NO_PLAN_FILTER = "The plan filter does not apply here: {what}."
ALL_TIME = "The period does not apply: {what}."


def support_health_panel(filters: InsightsFilters) -> Panel:
    rows = metrics.support_health(filters)
    return Panel(
        key="support-health",
        title="Support health by product area",
        description="For questions asked in the period: the share solved (an accepted answer), "
        "how many open ones still have no answer, and the median hours to the first and to "
        "the accepted answer. Areas with the most unanswered questions first.",
        columns=[
            "Product area",
            "Questions",
            "Solved",
            "Unanswered",
            "Median hours to first answer",
            "Median hours to accepted answer",
        ],
        rows=[
            [
                r.area,
                r.questions,
                _percent(r.solved, r.questions),
                r.unanswered,
                _hours(r.median_first_answer_hours),
                _hours(r.median_accepted_hours),
            ]
            for r in rows
        ],
        figure=charts.support_health_figure(rows)
        if any(r.median_first_answer_hours is not None for r in rows)
        else None,
        empty="No support questions were asked in this period.",
        notes=["The plan filter applies to the asker's plan."],
    )


def oldest_unanswered_panel(filters: InsightsFilters) -> Panel:
    rows = metrics.oldest_unanswered(filters)
    return Panel(
        key="oldest-unanswered",
        title="Oldest unanswered questions",
        description="Open questions asked in the period that nobody has answered yet, "
        "oldest first.",
        columns=["Question", "Product area", "Asked", "Views"],
        rows=[[question_link(q.id, q.title), q.area, q.created_at, q.view_count] for q in rows],
        empty="Every question asked in this period has an answer.",
    )


def top_ideas_panel(filters: InsightsFilters) -> Panel:
    rows = metrics.top_ideas(filters)
    return Panel(
        key="top-ideas",
        title="Top ideas by votes cast in the period",
        description="The ideas that gained the most votes in the period.",
        columns=["Idea", "Status", "Votes in period", "Votes in all"],
        rows=[[idea_link(r.id, r.title), r.status_label, r.votes, r.total_votes] for r in rows],
        figure=charts.bar_figure(
            [r.title for r in rows], [r.votes for r in rows], axis_title="votes in the period"
        )
        if rows
        else None,
        empty="Nobody voted for an idea in this period.",
        notes=["Filters: the idea's product area and the voter's plan."],
    )


def rising_ideas_panel(filters: InsightsFilters) -> Panel:
    rows = metrics.rising_ideas(filters)
    return Panel(
        key="rising-ideas",
        title="Rising ideas: more votes than in the previous period",
        description=f"Votes in the last {filters.days} days against the {filters.days} days "
        "before; the biggest gains first.",
        columns=["Idea", "Status", "Votes in period", "Previous period", "Gain"],
        rows=[
            [idea_link(r.id, r.title), r.status_label, r.votes, r.previous_votes, r.velocity]
            for r in rows
        ],
        figure=charts.bar_figure(
            [r.title for r in rows],
            [r.velocity for r in rows],
            axis_title="votes gained",
            colour=charts.PALETTE[2],
        )
        if rows
        else None,
        empty="No idea gained votes faster than in the previous period.",
    )


def demand_by_area_panel(filters: InsightsFilters) -> Panel:
    rows = metrics.demand_by_area(filters)
    return Panel(
        key="demand-by-area",
        title="Idea demand by product area",
        description="Votes cast in the period on ideas in each product area.",
        columns=["Product area", "Votes", "Distinct voters"],
        rows=[list(r) for r in rows],
        figure=charts.bar_figure(
            [r[0] for r in rows], [r[1] for r in rows], axis_title="votes in the period"
        )
        if rows
        else None,
        empty="Nobody voted for an idea in this period.",
    )


def _voters_panel(rows, *, group: str, colour: str, **text) -> Panel:
    """Distinct idea voters (and their votes) per group: plan or company."""
    return Panel(
        columns=[group, "Distinct voters", "Votes"],
        rows=[list(r) for r in rows],
        figure=charts.bar_figure(
            [r[0] for r in rows], [r[1] for r in rows], axis_title="distinct voters", colour=colour
        )
        if rows
        else None,
        **text,
    )


def voters_by_plan_panel(filters: InsightsFilters) -> Panel:
    return _voters_panel(
        metrics.voters_by_plan(filters),
        group="Plan",
        colour=charts.PALETTE[3],
        key="voters-by-plan",
        title="Distinct idea voters by customer plan",
        description="How many different people on each plan voted for ideas in the period.",
        empty="Nobody voted for an idea in this period.",
    )


def voters_by_company_panel(filters: InsightsFilters) -> Panel:
    return _voters_panel(
        metrics.voters_by_company(filters),
        group="Company",
        colour=charts.PALETTE[4],
        key="voters-by-company",
        title="Distinct idea voters by company",
        description="The companies whose people voted for ideas in the period, most voters "
        "first (people who gave no company are left out).",
        empty="No voter with a company on their profile voted in this period.",
    )


def status_funnel_panel(filters: InsightsFilters) -> Panel:
    stages = metrics.status_funnel(filters)
    has_ideas = any(count for _, count in stages)
    return Panel(
        key="status-funnel",
        title="Ideas by status",
        description="Where the ideas stand now, from new to shipped or declined (merged "
        "ideas are counted in the idea they joined).",
        columns=["Status", "Ideas"],
        rows=[list(stage) for stage in stages] if has_ideas else [],
        figure=charts.funnel_figure(stages) if has_ideas else None,
        empty="There are no ideas in this product area yet."
        if filters.area
        else "Nobody has suggested an idea yet.",
        notes=[
            ALL_TIME.format(what="this is every idea's status today")
            + " "
            + NO_PLAN_FILTER.format(what="ideas belong to no plan")
        ],
    )


def shipped_panel(filters: InsightsFilters) -> Panel:
    rows = metrics.shipped_ideas(filters)
    return Panel(
        key="shipped",
        title="Ideas shipped in the period",
        description="Ideas moved to Shipped in the period, most recent first.",
        columns=["Idea", "Product area", "Shipped", "Votes"],
        rows=[[idea_link(r.id, r.title), r.area, r.shipped_at, r.votes] for r in rows],
        shown=20,
        empty="No idea was shipped in this period.",
        notes=[NO_PLAN_FILTER.format(what="shipping is not done by a customer")],
    )


def contributors_panel(filters: InsightsFilters) -> Panel:
    rows = metrics.top_answerers(filters)
    return Panel(
        key="contributors",
        title="Top answerers",
        description="Who answered most in the period, and how many of their answers were accepted.",
        columns=["Person", "Role", "Answers", "Accepted"],
        rows=[[r.name, r.role, r.answers, r.accepted] for r in rows],
        figure=charts.bar_figure(
            [r.name for r in rows], [r.answers for r in rows], axis_title="answers"
        )
        if rows
        else None,
        empty="Nobody answered a question in this period.",
        notes=["The plan filter applies to the answerer's plan."],
    )


def answer_share_panel(filters: InsightsFilters) -> Panel:
    share = metrics.answer_share(filters)
    total = sum(group["answers"] for group in share.values())
    accepted = sum(group["accepted"] for group in share.values())
    return Panel(
        key="answer-share",
        title="Staff share of answers",
        description="Answers posted in the period by the team (staff, product and admins) "
        "against the community.",
        columns=["Who", "Answers", "Share", "Accepted", "Share of accepted"],
        rows=[
            [
                who,
                group["answers"],
                _percent(group["answers"], total),
                group["accepted"],
                _percent(group["accepted"], accepted),
            ]
            for who, group in share.items()
        ]
        if total
        else [],
        figure=charts.share_figure(list(share), [g["answers"] for g in share.values()])
        if total
        else None,
        empty="Nobody answered a question in this period.",
        notes=[NO_PLAN_FILTER.format(what="the team has no customer plan")],
    )


DEMAND_FORMULA = (
    "Demand score = the sum, over every different person who voted for the idea or asked a "
    "support question linked to it, of their plan's weight (set by admins; no plan counts 1). "
    "Someone who did both counts once."
)


def demand_score_panel(filters: InsightsFilters) -> Panel:
    rows = metrics.demand_scores(filters)
    return Panel(
        key="demand-score",
        title="Demand score per open idea",
        description="Open ideas ranked by who wants them, weighted by customer plan.",
        columns=["Idea", "Status", "Voters", "Askers", "People", "Demand score"],
        rows=[
            [idea_link(r.id, r.title), r.status_label, r.voters, r.askers, r.people, r.score]
            for r in rows
        ],
        figure=charts.bar_figure(
            [r.title for r in rows],
            [r.score for r in rows],
            axis_title="demand score",
            colour=charts.PALETTE[5],
        )
        if rows
        else None,
        empty="No open idea has voters or linked questions yet.",
        formula=DEMAND_FORMULA,
        notes=[
            ALL_TIME.format(what="demand counts every vote and linked question so far")
            + " The plan filter keeps people on that plan."
        ],
    )


@dataclass(frozen=True)
class Section:
    """A part of the dashboard with a heading and a place in its in-page navigation: what one
    kind of question (support, ideas, search, people) needs, together."""

    key: str
    title: str
    label: str  # in the navigation: short, so all of them fit across a phone
    panels: tuple[str, ...]


SECTIONS = [
    Section("support", "Support health", "Support", ("support-health", "oldest-unanswered")),
    Section(
        "ideas",
        "Ideas and demand",
        "Ideas",
        (
            "top-ideas",
            "rising-ideas",
            "demand-score",
            "demand-by-area",
            "voters-by-plan",
            "voters-by-company",
            "status-funnel",
            "shipped",
        ),
    ),
    Section("search", "Search gaps", "Search gaps", ("search-gaps", "search-few-results")),
    Section("people", "People", "People", ("activity", "contributors", "answer-share")),
    # Filled by the features that keep the community alive (events, polls): see register_panel.
    Section("community", "Events, polls and badges", "Community", ()),
]

PANELS: dict[str, Callable[[InsightsFilters], Panel]] = {
    "activity": activity_panel,
    "support-health": support_health_panel,
    "oldest-unanswered": oldest_unanswered_panel,
    "top-ideas": top_ideas_panel,
    "rising-ideas": rising_ideas_panel,
    "demand-score": demand_score_panel,
    "demand-by-area": demand_by_area_panel,
    "voters-by-plan": voters_by_plan_panel,
    "voters-by-company": voters_by_company_panel,
    "status-funnel": status_funnel_panel,
    "shipped": shipped_panel,
    "contributors": contributors_panel,
    "answer-share": answer_share_panel,
    "search-gaps": search_gaps_panel,
    "search-few-results": few_results_panel,
}
PANEL_KEYS = sorted(PANELS)  # kept sorted in place: the API's list of figures reads it


def register_panel(key: str, build: Callable[[InsightsFilters], Panel], section: str) -> None:
    """A panel of a feature that builds on insights (events, polls) in one of the sections.
    It is shared by every viewer of the dashboard, as the others are: it must show only what
    the whole team may see."""
    PANELS[key] = build
    PANEL_KEYS[:] = sorted(PANELS)
    for n, found in enumerate(SECTIONS):
        if found.key == section:
            SECTIONS[n] = replace(found, panels=(*found.panels, key))
