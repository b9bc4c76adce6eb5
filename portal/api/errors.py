"""Every error of the API as an RFC 9457 problem body, whatever raised it."""

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from portal.accounts.permissions import Forbidden
from portal.extensions import db
from portal.writes import problem


def register(bp: Blueprint) -> None:
    bp.register_error_handler(Forbidden, lambda error: problem(403, error.message))
    bp.register_error_handler(HTTPException, _http_error)


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if error.code >= 500:
        db.session.rollback()
    return problem(error.code, error.description or "")
