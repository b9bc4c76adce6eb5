"""The JSON API, /api/v1: the same services, queries and `can()` as the pages, for scripts
and integrations. Callers authenticate with a token in the Authorization header, never with
the site's cookie, so no call needs a CSRF token and no page can make a browser call it as its
member (auth.py). Errors are RFC 9457 problem bodies (errors.py); the OpenAPI document is
built from the operations as they are declared (operations.py, spec.py)."""

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The reference page is a page of the site, signed in as usual.
docs_bp = Blueprint("api_docs", __name__)


def register(app: Flask) -> None:
    from portal.extensions import csrf

    csrf.exempt(bp)  # cookies sign no one in here (auth.py)
    app.register_blueprint(bp)
    app.register_blueprint(docs_bp)


from portal.api import actions, auth, errors, views  # noqa: E402, F401  (hooks, routes)

auth.register(bp)
errors.register(bp)
