"""The home page's "Upcoming events" panel."""

from flask import url_for

from portal.events.queries import upcoming
from portal.main.home import HomeSection, home_section


@home_section
def upcoming_events_section() -> HomeSection:
    return HomeSection(
        key="events",
        title="Upcoming events",
        template="events/_home_section.html",
        items=upcoming(limit=3),
        more_url=url_for("events.index"),
    )
