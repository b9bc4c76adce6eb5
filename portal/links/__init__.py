"""The bridge between support and the idea board: linking questions to ideas, turning a question
into one, and the question page's panel of linked ideas. It calls both features' services;
neither imports it."""

from flask import Blueprint

bp = Blueprint("links", __name__)

from portal.links import queries, views  # noqa: E402, F401  (question panel, routes)
