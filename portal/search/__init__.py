"""Search: one Whoosh index for questions, answers and ideas, fed by the search_change log."""

from flask import Blueprint

bp = Blueprint("search", __name__, url_prefix="/search")

from portal.search import views  # noqa: E402, F401  (routes register on import)
