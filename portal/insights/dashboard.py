"""The insights dashboard: headline numbers and every panel for one set of filters.

Most of a dashboard's time is spent in the database, aggregating a period's votes, questions
and answers, so the panels are computed in two threads (the database works on two queries at
once while Python waits) and the result is kept: until the community changes, and on a busy
community for `INSIGHTS_CACHE_SECONDS` (a minute by default) even when it does, rendered (the
headline and panels do not depend on who looks). The page says when its figures were computed.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, render_template
from markupsafe import Markup
from sqlalchemy import func, select, text

from portal.caching import cached, community_version
from portal.clock import utcnow
from portal.database import begin_transaction
from portal.extensions import db
from portal.insights import metrics
from portal.insights.filters import InsightsFilters
from portal.insights.panels import PANELS, SECTIONS, Panel
from portal.search.models import SearchQuery

THREADS = 2
DASHBOARD_STORE = "portal_insights_dashboards"
# Panels that read the same aggregate share a task (its result is kept for the task). The order
# is measured: starting the two heaviest vote tasks (voters, demand by area) together, costliest
# first, was slower on SQLite (30 days: 203 against 175 ms).
TASKS = [
    ["support-health"],
    ["demand-score"],
    ["demand-by-area"],
    ["top-ideas", "rising-ideas"],
    ["voters-by-plan", "voters-by-company"],
    ["contributors", "answer-share"],
    ["search-gaps", "search-few-results"],
    ["activity", "oldest-unanswered", "status-funnel", "shipped"],
]


@dataclass
class Dashboard:
    html: Markup  # the headline and every panel, rendered
    as_of: datetime


def headline(filters: InsightsFilters) -> list[dict]:
    """The period's counts against the period before, and the searches that found nothing."""
    now, before = metrics.event_counts(filters), metrics.event_counts(filters, previous=True)
    searches = metrics.search_totals(filters)
    cards = [
        {"label": label, "value": now[kind], "previous": before[kind]}
        for kind, label in metrics.ACTIVITY_KINDS.items()
    ]
    cards.append(
        {
            "label": "Searches with no results",
            "value": searches["no_results"],
            "previous": None,
            "of": searches["searches"],
        }
    )
    return cards


def tasks() -> list[list[str]]:
    """TASKS, and one more for the panels other features registered (light ones)."""
    listed = {key for keys in TASKS for key in keys}
    registered = [key for key in PANELS if key not in listed]
    return [*TASKS, registered] if registered else TASKS


def _build_panels(app: Flask, filters: InsightsFilters, keys: list[str]) -> list[Panel]:
    """Some panels, in a thread of their own with its own app context and database session."""
    with app.app_context():
        try:
            if db.engine.dialect.name == "postgresql":
                begin_transaction()  # what SET LOCAL sets lasts as long as it
                # Counting distinct voters sorts about 100,000 rows for 90 days: in memory,
                # not in files (the default 4 MB spills). For this transaction only.
                db.session.execute(text("SET LOCAL work_mem = '32MB'"))
                # The two threads are the parallelism: workers of their own would only
                # contend with the other thread for the same two cores.
                db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
            return [PANELS[key](filters) for key in keys]
        finally:
            db.session.remove()


def build_dashboard(filters: InsightsFilters) -> Dashboard:
    app = current_app._get_current_object()
    as_of = utcnow().replace(microsecond=0)
    with ThreadPoolExecutor(THREADS, thread_name_prefix="insights") as pool:
        futures = [pool.submit(_build_panels, app, filters, keys) for keys in tasks()]
        cards = headline(filters)
        built = {panel.key: panel for future in futures for panel in future.result()}
    panels = [built[key] for key in PANELS]
    html = render_template(
        "insights/_figures.html",
        filters=filters,
        headline=cards,
        sections=[
            (section, [built[key] for key in section.panels])
            for section in SECTIONS
            if section.panels
        ],
        figures={panel.key: panel.figure for panel in panels if panel.figure},
    )
    return Dashboard(html=Markup(html), as_of=as_of)


def insights_version() -> tuple:
    """The community's version and the newest search (searches record no activity event)."""
    newest_search = db.session.scalar(select(func.max(SearchQuery.id)))
    return (*community_version(), newest_search)


def dashboard_for(filters: InsightsFilters) -> Dashboard:
    """The dashboard, computed now or kept from a recent request for the same filters."""
    seconds = current_app.config["INSIGHTS_CACHE_SECONDS"]
    if not seconds:
        return build_dashboard(filters)
    return cached(
        "insights.dashboard",
        *filters.cache_key(),
        compute=lambda: build_dashboard(filters),
        max_age=seconds,
        # Older figures, up to ten minutes past their minute, are shown at once while a
        # thread computes new ones: under load, a view that computed them waited a second.
        stale_for=10 * seconds,
        version=insights_version,
        # Its own store: among the pages' many kept results, a dashboard was pushed out
        # before its minute was over, and the next view waited for a new one (a second
        # under load) instead of getting the kept one while a thread computed it.
        store=DASHBOARD_STORE,
    )
