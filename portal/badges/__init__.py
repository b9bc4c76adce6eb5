"""Recognition: badges awarded by the worker after the activity that earns them (each once,
with a notification), shown on profiles; and leaderboards of the month's top answerers, which
members may stay off."""

from flask import Blueprint

bp = Blueprint("badges", __name__)

from portal.badges import attached, awards, views  # noqa: E402, F401  (profile part, job, routes)
from portal.mail.jobs import register_job  # noqa: E402

register_job(awards.award_due)
