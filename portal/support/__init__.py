from flask import Blueprint

bp = Blueprint("support", __name__)

from portal.support import digest, follows, home, moderation, search, subjects, views  # noqa: E402, F401  (routes, home section, digest sections, search sources, flaggable kinds, notification subjects, follow targets)
