"""The home page's "Latest questions" panel."""

from flask import url_for

from portal.main.home import HomeSection, home_section
from portal.support.queries import latest_questions


@home_section
def latest_questions_section() -> HomeSection:
    return HomeSection(
        key="questions",
        title="Latest questions",
        template="support/_home_section.html",
        items=latest_questions(),
        more_url=url_for("support.questions"),
    )
