"""Login sessions: each signed-in browser has its own row, so logging out ends that browser's
session on the server (a cookie saved before no longer signs in), and a password reset or
change ends every session of the person. Services flush, never commit."""

import hashlib
import secrets
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import delete, update

from portal import batched
from portal.accounts.models import LoginSession, User
from portal.clock import utcnow
from portal.extensions import db

# last_seen_at is this coarse: a session seen again sooner costs no write.
SEEN_EVERY = timedelta(hours=1)
# A session idle this long is deleted when its person next signs in (Flask-Login's remember
# cookie lasts a year, so no browser can still hold it).
FORGOTTEN_AFTER = timedelta(days=400)
SEEN_BATCH = "login sessions seen"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(user: User, user_agent: str | None) -> str:
    """A new session for `user`; returns its key, for the cookie (Flask-Login reads it from
    `user.get_id()`)."""
    db.session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.last_seen_at < utcnow() - FORGOTTEN_AFTER
        )
    )
    key = secrets.token_urlsafe(32)
    agent = (user_agent or "")[:255] or None
    db.session.add(LoginSession(key_hash=key_hash(key), user_id=user.id, user_agent=agent))
    db.session.flush()
    user.login_session_key = key
    return key


def end_session(key: str) -> None:
    db.session.execute(delete(LoginSession).where(LoginSession.key_hash == key_hash(key)))


def end_all_sessions(user: User) -> None:
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))


def note_seen(key: str, last_seen_at) -> None:
    """Record that the session is in use, when its last_seen_at is older than SEEN_EVERY: in a
    batch written after the response, so a request of a member never waits for a write."""
    if utcnow() - last_seen_at > SEEN_EVERY:
        current_app.extensions[SEEN_BATCH].add(key_hash(key))


def write_seen(hashes: list[str]) -> None:
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.key_hash.in_(sorted(set(hashes))))
        .values(last_seen_at=utcnow())
    )
    db.session.commit()


def register(app: Flask) -> batched.Batch[str]:
    every = app.config["SESSION_SEEN_FLUSH_SECONDS"]
    return batched.register(app, SEEN_BATCH, write_seen, every)
