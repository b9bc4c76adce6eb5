"""Signed, expiring links for confirming an email address and resetting a password.

A token carries the user id and a fingerprint of the user's email and session token, so it stops
working once it is used (a reset rotates the session token) or the email changes.
"""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.accounts.models import User
from portal.extensions import db

MAX_AGE = {"confirm-email": 3 * 24 * 3600, "reset-password": 2 * 3600}


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=f"portal-{purpose}")


def _fingerprint(user: User) -> str:
    return hashlib.sha256(f"{user.email}:{user.session_token}".encode()).hexdigest()[:16]


def make_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"id": user.id, "fp": _fingerprint(user)})


def read_token(token: str, purpose: str) -> User | None:
    """The user the token was made for, or None when it is forged, expired or already used."""
    try:
        data = _serializer(purpose).loads(token, max_age=MAX_AGE[purpose])
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("id")) if isinstance(data.get("id"), int) else None
    if user is None or data.get("fp") != _fingerprint(user):
        return None
    return user
