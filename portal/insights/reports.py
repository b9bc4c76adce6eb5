"""The product feedback report: one period summarised as sections of facts, rendered as a
printable HTML page, Markdown or CSV (the same sections and numbers in every format)."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from flask import current_app, render_template

from portal.insights import metrics
from portal.insights.filters import InsightsFilters
from portal.site.services import get_settings


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
        scope = f" · {self.filters.area.name}" if self.filters.area else ""
        return f"Product feedback report: {self.filters.since} to {self.filters.until}{scope}"


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
    gaps = metrics.search_gaps(filters, max_results=0, limit=10)
    return ReportSection(
        key="search-gaps",
        title="What people searched for and did not find",
        intro="The most frequent searches with no results: missing answers, documentation or "
        "features people expect.",
        columns=["Search", "Searches", "Previous period"],
        rows=[[g.query, g.searches, g.previous_searches] for g in gaps],
        empty="Every search in this period found something.",
    )


SECTIONS: list[Callable[[InsightsFilters], ReportSection]] = [
    headline_section,
    search_gaps_section,
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


def _md_cell(value) -> str:
    return _cell(value).replace("|", "\\|").replace("\n", " ")


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
            lines += ["", f"> {_md_cell(text)}", f"> — {who}"]
    return "\n".join(lines) + "\n"


def to_csv(report: Report) -> str:
    """One table: a `section` column, then each section's own columns and rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    for section in report.sections:
        writer.writerow(["section", *section.columns])
        writer.writerows([section.title, *(_cell(c) for c in row)] for row in section.rows)
        writer.writerow([])
    return out.getvalue()


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


RENDERERS = {"md": to_markdown, "csv": to_csv, "html": to_html}
MIMETYPES = {"md": "text/markdown", "csv": "text/csv", "html": "text/html"}
