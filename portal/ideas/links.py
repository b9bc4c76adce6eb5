"""Links to the idea board's pages, for notifications and other features."""

from flask import current_app

from portal.ideas.models import Idea


def idea_path(idea: Idea) -> str:
    """The idea page's path, stored in notifications; built without a request (CLI, demo)."""
    return current_app.url_map.bind("").build("ideas.idea", {"idea_id": idea.id})
