"""Insights: what shipped through the changelog, and who was told."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.changelog.models import ChangelogEntry
from portal.extensions import db
from portal.insights.filters import InsightsFilters
from portal.insights.panels import Link, Panel, register_panel


def changelog_panel(filters: InsightsFilters) -> Panel:
    found = db.session.scalars(
        select(ChangelogEntry)
        .options(selectinload(ChangelogEntry.ideas))
        .where(
            ChangelogEntry.published_at >= filters.start,
            ChangelogEntry.published_at < filters.end,
        )
        .order_by(ChangelogEntry.published_at.desc())
        .limit(200)
    )
    rows = [
        [
            Link(entry.title, "changelog.entry", {"entry_id": entry.id}),
            entry.published_at.date().isoformat(),
            len([idea for idea in entry.ideas if idea.review_state is None]),
            entry.voters_told,
            entry.askers_told,
        ]
        for entry in found
    ]
    return Panel(
        key="changelog",
        title="Shipped through the changelog",
        description="Entries published in the period: the ideas each shipped, the voters and "
        "followers told, and the askers of linked questions asked whether they are solved now.",
        columns=["Entry", "Published", "Ideas shipped", "Voters and followers told", "Askers told"],
        rows=rows,
        shown=20,
        empty="Nothing was published in the changelog in this period.",
        notes=["The product area and plan filters do not apply: an entry is for everyone."],
    )


register_panel("changelog", changelog_panel, "ideas")
