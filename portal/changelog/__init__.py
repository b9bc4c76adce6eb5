"""The changelog: the product team publishes what shipped, naming the ideas it ships. Publishing
moves those ideas to Shipped, tells their voters and followers, and asks the askers of the
questions linked to them whether their question is solved now."""

from flask import Blueprint

bp = Blueprint("changelog", __name__)

from portal.changelog import insights, search, views  # noqa: E402, F401  (insights figure, search documents, routes)
