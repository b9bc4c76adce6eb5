"""Signed, expiring links for confirming an email address and resetting a password.

A token carries the user id and a fingerprint of what its use changes (whether the address is
confirmed; the password hash a reset replaces), so it is spent by its first use, and stops
working if the email changes.
"""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.accounts.models import User
from portal.extensions import db

MAX_AGE = {"confirm-email": 3 * 24 * 3600, "reset-password": 2 * 3600}


class BadToken(ValueError):
    """A link that cannot be used; `reason` is "invalid", "expired" or "used"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=f"portal-{purpose}")


def _fingerprint(user: User, purpose: str) -> str:
    spent_by = {
        "confirm-email": user.email_confirmed_at is not None,
        "reset-password": user.password_hash,
    }[purpose]
    return hashlib.sha256(f"{user.email}:{spent_by}".encode()).hexdigest()[:16]


def make_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"id": user.id, "fp": _fingerprint(user, purpose)})


def read_token(token: str, purpose: str) -> User:
    """The user the token was made for; BadToken when it is forged, expired or already used."""
    try:
        data = _serializer(purpose).loads(token, max_age=MAX_AGE[purpose])
    except SignatureExpired:
        raise BadToken("expired") from None
    except BadSignature:
        raise BadToken("invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        raise BadToken("invalid")
    user = db.session.get(User, data["id"])
    if user is None:
        raise BadToken("invalid")
    if data.get("fp") != _fingerprint(user, purpose):
        raise BadToken("used")
    return user
