"""The home page's "Top ideas" panel."""

from flask import url_for

from portal.ideas.queries import top_ideas
from portal.main.home import HomeSection, home_section


@home_section
def top_ideas_section() -> HomeSection:
    return HomeSection(
        key="ideas",
        title="Top ideas",
        template="ideas/_home_section.html",
        items=top_ideas(limit=5),
        more_url=url_for("ideas.board"),
    )
