"""The product feedback report: one period summarised as sections of facts, rendered as a
printable HTML page, Markdown or CSV (the same sections and numbers in every format)."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from numbers import Number
from pathlib import Path

from flask import current_app, render_template

from portal.csv_export import csv_text
from portal.insights import metrics
from portal.insights.filters import InsightsFilters
from portal.public_url import public_url
from portal.site.services import get_settings


@dataclass(frozen=True)
class ItemLink:
    """A cell naming an idea or a question, with the absolute address of its page."""

    text: str
    url: str

    def __str__(self) -> str:
        return self.text


def idea_link(idea_id: int, title: str) -> ItemLink:
    return ItemLink(title, public_url("ideas.idea", idea_id=idea_id))


def question_link(question_id: int, title: str) -> ItemLink:
    return ItemLink(title, public_url("support.question", question_id=question_id))


@dataclass
class ReportSection:
    key: str
    title: str
    intro: str
    columns: list[str]
    rows: list[list]
    empty: str = "Nothing to report for this period."
    quotes: list[tuple[str, str]] = field(default_factory=list)  # (attribution, text)


@dataclass
class Report:
    filters: InsightsFilters
    generated_at: datetime
    sections: list[ReportSection]

    @property
    def title(self) -> str:
        """The dates and every other filter: a report read on its own says what it covers."""
        scope = "".join(f" · {name}" for name in self.filters.scope())
        return f"Product feedback report: {self.filters.since} to {self.filters.until}{scope}"

    @property
    def filename(self) -> str:
        parts = [self.filters.since.isoformat(), self.filters.until.isoformat()]
        return "-".join(["product-feedback", *parts, *self.filters.slugs()])


def _change(now: int, before: int) -> str:
    if before == 0:
        return "new" if now else "no change"
    percent = round((now - before) * 100 / before)
    return f"{percent:+d}%"


def headline_section(filters: InsightsFilters) -> ReportSection:
    now, before = metrics.event_counts(filters), metrics.event_counts(filters, previous=True)
    rows = [
        [label, now[kind], before[kind], _change(now[kind], before[kind])]
        for kind, label in metrics.ACTIVITY_KINDS.items()
    ]
    searches = metrics.search_totals(filters)
    previous_searches = metrics.search_totals(filters.previous())
    rows.append(
        [
            "Searches",
            searches["searches"],
            previous_searches["searches"],
            _change(searches["searches"], previous_searches["searches"]),
        ]
    )
    rows.append(
        [
            "Searches with no results",
            searches["no_results"],
            previous_searches["no_results"],
            _change(searches["no_results"], previous_searches["no_results"]),
        ]
    )
    return ReportSection(
        key="headline",
        title="Headline numbers",
        intro=f"This period against the {filters.days} days before it.",
        columns=["Measure", "This period", "Previous period", "Change"],
        rows=rows,
    )


def search_gaps_section(filters: InsightsFilters) -> ReportSection:
    gaps = metrics.search_gaps(filters, limit=10)
    return ReportSection(
        key="search-gaps",
        title="What people searched for and did not find",
        intro="The most frequent searches with no results: missing answers, documentation or "
        "features people expect.",
        columns=["Search", "Searches", "Previous period"],
        rows=[[g.query, g.searches, g.previous_searches] for g in gaps],
        empty="Every search in this period found something.",
    )


def _quotes(ideas: list) -> list[tuple[str, str]]:
    """A quoted comment per idea: the official response, else the most recent comment."""
    found = metrics.idea_quotes([idea.id for idea in ideas])
    quotes = []
    for idea in ideas:
        if idea.id in found:
            who, text, official = found[idea.id]
            role = "official response" if official else "latest comment"
            quotes.append((f"{who}, {role} on “{idea.title}”", text))
    return quotes


def top_ideas_section(filters: InsightsFilters) -> ReportSection:
    ideas = metrics.top_ideas(filters, limit=10)
    return ReportSection(
        key="top-ideas",
        title="Most wanted ideas",
        intro="The ideas that gained the most votes in the period, with what was last said "
        "about them (the product team's official response when there is one).",
        columns=["Idea", "Status", "Votes in period", "Previous period", "Votes in all"],
        rows=[
            [idea_link(i.id, i.title), i.status_label, i.votes, i.previous_votes, i.total_votes]
            for i in ideas
        ],
        empty="Nobody voted for an idea in this period.",
        quotes=_quotes(ideas[:5]),
    )


def rising_ideas_section(filters: InsightsFilters) -> ReportSection:
    ideas = metrics.rising_ideas(filters, limit=10)
    return ReportSection(
        key="rising-ideas",
        title="Rising ideas",
        intro=f"Ideas gaining votes faster than in the {filters.days} days before.",
        columns=["Idea", "Status", "Votes in period", "Previous period", "Gain"],
        rows=[
            [idea_link(i.id, i.title), i.status_label, i.votes, i.previous_votes, i.velocity]
            for i in ideas
        ],
        empty="No idea gained votes faster than in the previous period.",
        quotes=_quotes(ideas[:3]),
    )


def shipped_section(filters: InsightsFilters) -> ReportSection:
    shipped = metrics.shipped_ideas(filters)
    return ReportSection(
        key="shipped",
        title="Ideas shipped",
        intro="Ideas the product team marked as shipped in the period.",
        columns=["Idea", "Product area", "Shipped", "Votes"],
        rows=[[idea_link(i.id, i.title), i.area, i.shipped_at.date(), i.votes] for i in shipped],
        empty="No idea was shipped in this period.",
    )


def _hours(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f} h"


def pain_points_section(filters: InsightsFilters) -> ReportSection:
    areas = metrics.support_health(filters)
    areas.sort(
        key=lambda a: (-a.unanswered, -(a.median_first_answer_hours or 0), a.area),
    )
    return ReportSection(
        key="pain-points",
        title="Support pain points",
        intro="Product areas with the most unanswered questions and the slowest answers, for "
        "the questions asked in the period.",
        columns=[
            "Product area",
            "Questions",
            "Unanswered",
            "Median time to first answer",
            "Median time to accepted answer",
            "Solved",
        ],
        rows=[
            [
                a.area,
                a.questions,
                a.unanswered,
                _hours(a.median_first_answer_hours),
                _hours(a.median_accepted_hours),
                f"{round(a.solved_rate * 100)}%",
            ]
            for a in areas
        ],
        empty="No support questions were asked in this period.",
    )


def unsolved_section(filters: InsightsFilters) -> ReportSection:
    questions = metrics.most_viewed_unsolved(filters)
    return ReportSection(
        key="unsolved",
        title="Most viewed unsolved questions",
        intro="Questions asked in the period that many people read and none has an accepted "
        "answer: likely gaps in the product or its documentation.",
        columns=["Question", "Product area", "Views", "Answers", "Asked"],
        rows=[
            [
                question_link(q.id, q.title),
                q.area,
                q.view_count,
                q.answer_count,
                q.created_at.date(),
            ]
            for q in questions
        ],
        empty="Every viewed question asked in this period is solved.",
    )


SECTIONS: list[Callable[[InsightsFilters], ReportSection]] = [
    headline_section,
    top_ideas_section,
    rising_ideas_section,
    shipped_section,
    pain_points_section,
    search_gaps_section,
    unsolved_section,
]


def build_report(filters: InsightsFilters, now: datetime) -> Report:
    return Report(filters, now, [build(filters) for build in SECTIONS])


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _csv_cell(value):
    """Numbers stay numbers in a spreadsheet; the rest reads as on the page."""
    return value if isinstance(value, Number) else _cell(value)


def _md_text(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_cell(value) -> str:
    if isinstance(value, ItemLink):
        # Brackets and backslashes escaped: a title cannot end the link text or start another.
        text = re.sub(r"([\\\[\]])", r"\\\1", value.text)
        return f"[{_md_text(text)}]({value.url})"
    return _md_text(_cell(value))


def to_markdown(report: Report) -> str:
    lines = [f"# {report.title}", ""]
    lines.append(f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC.")
    for section in report.sections:
        lines += ["", f"## {section.title}", "", section.intro, ""]
        if not section.rows:
            lines.append(f"_{section.empty}_")
            continue
        lines.append("| " + " | ".join(section.columns) + " |")
        lines.append("|" + "|".join("---" for _ in section.columns) + "|")
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in section.rows]
        for who, text in section.quotes:
            lines += ["", f"> {_md_text(text)}", f"> — {_md_text(who)}"]
    return "\n".join(lines) + "\n"


def to_csv(report: Report) -> str:
    """One table: the title, then a `section` column and each section's own columns and rows."""
    rows: list[list] = [[report.title], [f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC"], []]
    for section in report.sections:
        rows.append(["section", *section.columns])
        rows += [[section.title, *(_csv_cell(c) for c in row)] for row in section.rows]
        rows.append([])
    return csv_text(rows)


def to_html(report: Report, standalone: bool = False) -> str:
    """The report page; `standalone` makes a self-contained file (styles inside, no site links)."""
    if not standalone:
        return render_template("insights/report.html", report=report, standalone=False)
    static = Path(current_app.static_folder) / "css"
    styles = "\n".join((static / name).read_text() for name in ("portal.css", "report.css"))
    return render_template(
        "insights/report_standalone.html",
        report=report,
        standalone=True,
        stylesheets=styles,
        site=get_settings(),
    )


def to_html_file(report: Report) -> str:
    return to_html(report, standalone=True)


# What a download or `flask insights report` writes, by format.
RENDERERS = {"md": to_markdown, "csv": to_csv, "html": to_html_file}
MIMETYPES = {"md": "text/markdown", "csv": "text/csv", "html": "text/html"}
