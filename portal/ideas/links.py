"""Links to the idea board's pages, for notifications and other features."""

from portal.ideas.models import Idea
from portal.public_url import site_path


def idea_path(idea: Idea) -> str:
    """The idea page's path, stored in notifications; built without a request (CLI, demo)."""
    return site_path("ideas.idea", idea_id=idea.id)
