"""Login sessions: each signed-in browser has its own row, so logging out ends that browser's
session on the server (a cookie saved before no longer signs in), and a password reset or
change ends every session of the person. Services flush, never commit."""

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import delete, update

from portal import batched
from portal.accounts.models import LoginSession, User, VisitDay
from portal.clock import utcnow
from portal.database import insert_or_ignore
from portal.extensions import db

# last_seen_at is this coarse: a session seen again sooner costs no write.
SEEN_EVERY = timedelta(hours=1)
# A session idle this long is deleted when its person next signs in (Flask-Login's remember
# cookie lasts a year, so no browser can still hold it).
FORGOTTEN_AFTER = timedelta(days=400)
SEEN_BATCH = "login sessions seen"
# Told which members visited on a day new to them (moderation's trust levels count days).
visit_listeners: list[Callable[[list[int]], None]] = []


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
    record_visits([user.id])
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
    """Sessions seen again: their time, and the day as a day their people visited."""
    hashes = sorted(set(hashes))
    db.session.execute(
        update(LoginSession).where(LoginSession.key_hash.in_(hashes)).values(last_seen_at=utcnow())
    )
    record_visits(
        list(
            db.session.scalars(
                db.select(LoginSession.user_id).where(LoginSession.key_hash.in_(hashes)).distinct()
            )
        )
    )
    db.session.commit()


def record_visits(user_ids: list[int]) -> None:
    """Today is a day these members visited. Flushes, never commits."""
    today = utcnow().date()
    new = [
        user_id
        for user_id in sorted(set(user_ids))
        if insert_or_ignore(VisitDay, {"user_id": user_id, "day": today}) is not None
    ]
    if new:
        for listener in visit_listeners:
            listener(new)


def register(app: Flask) -> batched.Batch[str]:
    every = app.config["SESSION_SEEN_FLUSH_SECONDS"]
    return batched.register(app, SEEN_BATCH, write_seen, every)
