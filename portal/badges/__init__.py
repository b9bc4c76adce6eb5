"""Recognition: badges awarded by the worker after the activity that earns them (each once,
with a notification), shown on profiles; and leaderboards of the month's top answerers, which
members may stay off."""

from flask import Blueprint

bp = Blueprint("badges", __name__)

from portal.accounts.profiles import PUBLIC_EVENT_KINDS  # noqa: E402
from portal.badges import attached, awards, insights, search, views  # noqa: E402, F401  (profile part, job, insights figure, search, routes)
from portal.mail.jobs import register_job  # noqa: E402

PUBLIC_EVENT_KINDS["badge.awarded"] = "Earned the badge"

register_job(awards.award_due)
