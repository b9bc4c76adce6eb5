"""The changelog: the product team publishes what shipped, naming the ideas it ships. Publishing
moves those ideas to Shipped, tells their voters and followers, and asks the askers of the
questions linked to them whether their question is solved now."""

from flask import Blueprint

bp = Blueprint("changelog", __name__)

from portal.accounts.profiles import PUBLIC_EVENT_KINDS, SUBJECT_ENDPOINTS  # noqa: E402
from portal.changelog import insights, search, views  # noqa: E402, F401  (insights figure, search documents, routes)

PUBLIC_EVENT_KINDS["changelog.published"] = "Published in the changelog"
SUBJECT_ENDPOINTS["changelog"] = ("changelog.entry", "entry_id")
