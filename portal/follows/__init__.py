"""Following: a member watches or mutes a product area, a tag or a question. Watching brings
every new post in it; muting silences it, even what is addressed to the member. Features
register what may be followed (targets.py); notifications read the levels (services.py)."""

from flask import Blueprint

bp = Blueprint("follows", __name__)

from portal.follows import views  # noqa: E402, F401  (routes register on import)
