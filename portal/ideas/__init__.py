"""The idea board: suggest, vote, follow, discuss, change status, merge, and the roadmap."""

from flask import Blueprint

from portal.ideas.models import IdeaStatus
from portal.ideas.statuses import look
from portal.markdown import html_to_text

bp = Blueprint("ideas", __name__)
bp.add_app_template_global(IdeaStatus, "IdeaStatus")
bp.add_app_template_global(look, "idea_status")
bp.add_app_template_filter(html_to_text, "plain_text")


from portal.ideas import cli, digest, follows, home, moderation, search, subjects, views  # noqa: E402, F401  (commands, digest sections, follow target, home, flaggable kinds, search, notification subjects, routes)
