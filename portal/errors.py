"""Error pages in the site's look, and JSON errors for fetch() callers."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.accounts.permissions import Forbidden
from portal.csrf import rerender_form_after_csrf_error
from portal.extensions import db
from portal.writes import problem, wants_json

MESSAGES = {
    400: ("Something in that request was not right", "Go back, check what you sent and try again."),
    403: (
        "You can’t do that here",
        "Your account does not have permission for this page or action.",
    ),
    404: (
        "We couldn’t find that page",
        "It may have been moved or deleted, or the link is mistyped.",
    ),
    405: ("That action isn’t available here", "Use the page’s own buttons and forms."),
    413: ("That upload is too large", "Choose a smaller file and try again."),
    429: (
        "Slow down a little",
        "Too many attempts in a short time. Wait a minute, then try again.",
    ),
    500: (
        "Something went wrong on our side",
        "We logged the problem. Please try again in a moment.",
    ),
}


def render_error(code: int, detail: str | None = None):
    title, hint = MESSAGES.get(code, MESSAGES[500])
    if wants_json():
        return problem(code, detail or title)
    return render_template("errors/error.html", code=code, title=title, hint=detail or hint), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        response = rerender_form_after_csrf_error(error.description)
        if response is not None:
            return response
        return render_error(
            400, "This page had expired, so nothing was changed. Reload it and try again."
        )

    @app.errorhandler(Forbidden)
    def forbidden(error: Forbidden):
        return render_error(403, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        detail = error.description if error.code in (400, 404) and _custom(error) else None
        return render_error(error.code, detail)

    @app.errorhandler(InternalServerError)
    def server_error(_error):
        db.session.rollback()
        return render_error(500)


def _custom(error: HTTPException) -> bool:
    """True when the code that raised the error gave its own description."""
    return error.description != type(error).description
