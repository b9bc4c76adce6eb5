"""Login wiring: how a cookie becomes a user, and how passwords are hashed and checked."""

import functools

from flask import current_app
from flask_login import LoginManager
from sqlalchemy import bindparam
from sqlalchemy.orm import undefer
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db


def configure_login(login_manager: LoginManager) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)


def load_user(session_token: str):
    from portal.cache import note_community_version

    found = db.session.execute(_member_query(), {"session_token": session_token}).one_or_none()
    if found is None:
        return None
    user, *version = found
    note_community_version(*version)
    return user


@functools.cache
def _member_query():
    """The member with their unread count, and the community version. Every request of a
    member starts with it, so it is built once: SQLAlchemy remembers a built statement's cache
    key, and building it anew made each run cost 0.7 ms of CPU instead of 0.16."""
    from portal.accounts.models import User
    from portal.cache import with_community_version

    return (
        with_community_version(db.select(User))
        .where(User.session_token == bindparam("session_token"))
        .options(undefer(User.unread_notification_count))
    )


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def password_matches(user, password: str) -> bool:
    if not user or not user.password_hash:
        # Spend comparable time on unknown emails so timing does not reveal who has an account.
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return False
    return check_password_hash(user.password_hash, password)


@functools.cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not-a-real-password", method=method)
