"""Moderation: flags, the review queue, the spam filter and the moderation log. Core: features
register their flaggable kinds (`kinds.register`), moderation never imports a feature."""

from flask import Blueprint

bp = Blueprint("moderation", __name__)

from portal.moderation import views  # noqa: E402, F401  (routes register on import)
