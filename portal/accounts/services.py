"""Accounts: registration, login checks, profile and role changes. Services flush, never commit."""

import secrets

from sqlalchemy import func, or_

from portal.accounts.auth import hash_password, password_matches
from portal.accounts.models import Plan, Role, User
from portal.clock import utcnow
from portal.extensions import db
from portal.insights.events import record_event


class AccountError(ValueError):
    """A request the rules refuse; the message is shown to the person."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        db.select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def email_taken(email: str) -> bool:
    return find_user_by_email(email) is not None


def register_user(
    *, email: str, display_name: str, password: str, role: Role = Role.MEMBER
) -> User:
    if email_taken(email):
        raise AccountError("email")
    user = User(
        email=normalise_email(email),
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=role,
        guidelines_accepted_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    record_event("user.registered", actor=user, subject=user)
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if password_matches(user, password):
        return user
    return None


def update_profile(user: User, *, display_name: str, company: str | None, plan: Plan | None):
    user.display_name = display_name.strip()
    user.company = (company or "").strip() or None
    user.plan = plan
    db.session.flush()


def change_password(user: User, *, current: str, new: str) -> None:
    if not password_matches(user, current):
        raise AccountError("Your current password is not correct.")
    user.password_hash = hash_password(new)
    user.session_token = _new_session_token()
    db.session.flush()


def _new_session_token() -> str:
    return secrets.token_hex(16)


def change_role(user: User, role: Role, *, by: User) -> None:
    if user.id == by.id and role != Role.ADMIN:
        raise AccountError("You cannot remove your own admin role; ask another admin.")
    user.role = role
    db.session.flush()
    record_event("user.role_changed", actor=by, subject=user, role=str(role))


def suspend_user(user: User, *, reason: str, by: User) -> None:
    if user.id == by.id:
        raise AccountError("You cannot suspend yourself.")
    user.suspended_at = utcnow()
    user.suspension_reason = reason.strip()
    db.session.flush()
    record_event("user.suspended", actor=by, subject=user)


def unsuspend_user(user: User, *, by: User) -> None:
    user.suspended_at = None
    user.suspension_reason = None
    db.session.flush()
    record_event("user.unsuspended", actor=by, subject=user)


def set_segment(user: User, *, company: str | None, plan: Plan | None) -> None:
    user.company = (company or "").strip() or None
    user.plan = plan
    db.session.flush()


def search_users(query: str):
    """A select of users whose name or email contains `query`, newest first."""
    stmt = db.select(User).order_by(User.created_at.desc(), User.id.desc())
    query = query.strip()
    if query:
        pattern = f"%{query.lower()}%"
        stmt = stmt.where(
            or_(func.lower(User.display_name).like(pattern), func.lower(User.email).like(pattern))
        )
    return stmt


def all_plans() -> list[Plan]:
    return list(db.session.scalars(db.select(Plan).order_by(Plan.position, Plan.name)))
