"""Login wiring: how a cookie becomes a user, and how passwords are hashed and checked."""

import functools
import threading

from flask import current_app
from flask_login import LoginManager
from sqlalchemy import bindparam
from sqlalchemy.orm import lazyload, undefer
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db


def configure_login(login_manager: LoginManager) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)


def load_user(session_key: str):
    """The member signed in with this login session key (the cookie's), or None when the
    session was ended (logged out, password changed) or never existed."""
    from portal.accounts.sessions import key_hash, note_seen
    from portal.caching import note_community_version

    found = db.session.execute(_member_query(), {"key_hash": key_hash(session_key)}).one_or_none()
    if found is None:
        return None
    user, last_seen_at, *version = found
    note_community_version(*version)
    user.login_session_key = session_key
    note_seen(session_key, last_seen_at)
    return user


@functools.cache
def _member_query():
    """The member of a login session with their unread count, whether they follow anything,
    the session's last use and the community version. Every request of a member starts with
    it, so it is built once: SQLAlchemy remembers a built statement's cache key, and building
    it anew made each run cost 0.7 ms of CPU instead of 0.16."""
    from portal.accounts.models import LoginSession, User
    from portal.caching import with_community_version

    return (
        with_community_version(
            db.select(User, LoginSession.last_seen_at).join(
                LoginSession, LoginSession.user_id == User.id
            )
        )
        .where(LoginSession.key_hash == bindparam("key_hash"))
        # The member's plan is shown on their settings page only: loaded there when asked.
        .options(
            undefer(User.unread_notification_count),
            undefer(User.follows_anything),
            lazyload(User.plan),
        )
    )


# One password hash at a time per process: scrypt holds its memory (16 MiB, see config.py)
# while it runs, so logins at once in a worker's four threads would add four times that to its
# peak. The two cores run one hash per worker at once anyway.
_HASHING = threading.Lock()


def hash_password(password: str) -> str:
    with _HASHING:
        return generate_password_hash(password, method=_method())


def password_matches(user, password: str) -> bool:
    with _HASHING:
        if not user or not user.password_hash:
            # Spend comparable time on unknown emails so timing does not reveal who has one.
            check_password_hash(_dummy_hash(_method()), password)
            return False
        return check_password_hash(user.password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than the configured ones (an older
    portal's): the login that proves the password then hashes it again."""
    return _parameters(password_hash) != _parameters(_dummy_hash(_method()))


def _parameters(password_hash: str) -> str:
    return password_hash.split("$", 1)[0]  # werkzeug's "method:params$salt$hash"


def _method() -> str:
    return current_app.config["PASSWORD_HASH_METHOD"]


@functools.cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not-a-real-password", method=method)
