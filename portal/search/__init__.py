"""Search: one Whoosh index for questions, answers and ideas, fed by the search_change log."""

from flask import Blueprint

bp = Blueprint("search", __name__, url_prefix="/search")

from portal.mail.jobs import register_job  # noqa: E402
from portal.search import views  # noqa: E402, F401  (routes register on import)
from portal.search.indexer import merge_segments  # noqa: E402

register_job(merge_segments)
