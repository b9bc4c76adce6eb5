"""One write path for views and commands: run a service, commit once, and when the rules
refuse, roll back and tell the person why where they will read it."""

from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

import click
from flask import abort, flash, has_request_context, jsonify, redirect, request

from portal.extensions import db

T = TypeVar("T")


class Refused(Exception):
    """An action the rules refuse; nothing was changed. `message` tells the person why,
    `field` names the form field it belongs to, and `details` go into a JSON answer."""

    status = 409

    def __init__(self, message: str, *, field: str | None = None, **details: Any):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class _Refusal:
    def __repr__(self) -> str:
        return "REFUSED"


REFUSED: Any = _Refusal()  # what `write(..., form=...)` gives when the rules refused


def wants_json() -> bool:
    """A fetch() caller, which reads a JSON answer rather than a page, or any API call."""
    return (
        request.path.startswith("/api/")
        or request.accept_mimetypes.best == "application/json"
        or request.is_json
    )


def problem(status: int, detail: str, **extra: Any):
    """A JSON error body as RFC 9457 describes it. `error` repeats the detail for the
    scripts that read it."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "error": detail,
        **extra,
    }
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def write(
    work: Callable[[], T], *, back: str | None = None, form=None, field: str | None = None
) -> T:
    """`work()` (a service call), committed; its result. Its transaction opens at its first
    write or lock (see `portal.database.begin_transaction`), so a refusal after reads alone
    rolls back nothing on the database.

    When it raises `Refused`, nothing is kept, and:
    - with a `form`, the reason goes on the refused field (the error's, else `field`, else the
      form's first) and `REFUSED` comes back, for the view to show the form again;
    - in a request, a fetch() caller gets a problem body, anyone else the reason as a message
      on `back`: the answer is sent at once, the view goes no further;
    - in a command, the command stops with the reason."""
    try:
        result = work()
        db.session.commit()
    except Refused as error:
        db.session.rollback()
        if form is not None:
            name = error.field or field
            target = form[name] if name in form else _first_visible(form)
            target.errors = [*target.errors, error.message]
            return REFUSED
        if not has_request_context():
            raise click.ClickException(error.message) from error
        if wants_json():
            abort(problem(error.status, error.message, **error.details))
        flash(error.message, "error")
        abort(redirect(back or "/"))
    return result


def _first_visible(form):
    return next(f for f in form if f.type not in ("CSRFTokenField", "HiddenField"))
