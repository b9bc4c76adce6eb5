"""Pages that belong to no single feature: home, guidelines, brand assets, Markdown preview."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from portal.main import views  # noqa: E402, F401  (routes register on import)
