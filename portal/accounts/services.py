"""Accounts: registration, login checks, profile and role changes. Services flush, never commit."""

from datetime import timedelta

from flask import render_template
from sqlalchemy import func, or_, update

from portal.accounts.auth import hash_password, needs_rehash, password_matches
from portal.accounts.models import Plan, Role, User
from portal.accounts.sessions import end_all_sessions
from portal.accounts.tokens import make_token
from portal.activity import record_event
from portal.clock import utcnow
from portal.extensions import db
from portal.mail.services import queue_mail
from portal.public_url import public_url
from portal.site.services import get_settings
from portal.writes import Refused


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        db.select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def email_taken(email: str) -> bool:
    return find_user_by_email(email) is not None


def register_user(
    *,
    email: str,
    display_name: str,
    password: str,
    role: Role = Role.MEMBER,
    confirmed: bool = False,
) -> User:
    if email_taken(email):
        raise Refused("An account with this email already exists.")
    return _add_user(email, display_name, hash_password(password), role, confirmed)


def _add_user(
    email: str, display_name: str, password_hash: str, role: Role, confirmed: bool
) -> User:
    now = utcnow()
    user = User(
        email=normalise_email(email),
        display_name=display_name.strip(),
        password_hash=password_hash,
        role=role,
        guidelines_accepted_at=now,
        email_confirmed_at=now if confirmed else None,
    )
    db.session.add(user)
    db.session.flush()
    record_event("user.registered", actor=user, subject=user)
    return user


def request_membership(*, email: str, display_name: str, password: str) -> None:
    """Registration as the outside world sees it: the same answer, in the same time, whether
    or not the email is taken (no account enumeration). A new address gets a confirmation
    link; the owner of an existing one is told someone tried to register with it."""
    # Hashed on both paths: the hash is nearly all of the work, so skipping it for a taken
    # address made the answer tell which addresses have an account.
    password_hash = hash_password(password)
    existing = find_user_by_email(email)
    if existing is not None:
        _send(
            "accounts/mail/already_registered.txt",
            existing,
            "Someone tried to join with your email",
        )
        return
    user = _add_user(email, display_name, password_hash, Role.MEMBER, confirmed=False)
    send_confirmation(user)


def send_confirmation(user: User) -> None:
    link = public_url("accounts.confirm", token=make_token(user, "confirm-email"))
    _send("accounts/mail/confirm.txt", user, "Confirm your email address", link=link)


def confirm_email(user: User) -> bool:
    """Mark the address confirmed. False when it already was: the confirmation link is then
    spent (a second use, or a second click at the same moment, which the condition settles)."""
    confirmed = db.session.execute(
        update(User)
        .where(User.id == user.id, User.email_confirmed_at.is_(None))
        .values(email_confirmed_at=utcnow(), email_undeliverable_at=None)
    ).rowcount
    return confirmed == 1


def request_password_reset(email: str) -> None:
    """Mail a reset link when the address belongs to an account that can log in; say nothing
    either way (the view shows the same page)."""
    user = find_user_by_email(email)
    if user is None or user.password_hash is None:
        return
    link = public_url("accounts.reset_password", token=make_token(user, "reset-password"))
    _send("accounts/mail/reset_password.txt", user, "Reset your password", link=link)


def reset_password(user: User, new_password: str) -> None:
    """Set a new password; the link is then spent and every session logged out."""
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    confirm_email(user)
    db.session.flush()


def _send(template: str, user: User, subject: str, **context) -> None:
    site = get_settings()
    body = render_template(template, user=user, site=site, **context)
    queue_mail(user.email, f"{subject} · {site.community_name}", body)


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if not password_matches(user, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.flush()
    return user


def update_profile(user: User, *, display_name: str, on_leaderboards: bool = True) -> None:
    user.display_name = display_name.strip()
    user.on_leaderboards = on_leaderboards
    db.session.flush()


def change_password(user: User, *, current: str, new: str) -> None:
    if not password_matches(user, current):
        raise Refused("Your current password is not correct.")
    user.password_hash = hash_password(new)
    end_all_sessions(user)
    db.session.flush()


def change_role(user: User, role: Role, *, by: User) -> None:
    if user.id == by.id and role != Role.ADMIN:
        raise Refused("You cannot remove your own admin role; ask another admin.")
    user.role = role
    db.session.flush()
    record_event("user.role_changed", actor=by, subject=user, role=str(role))


def suspend_user(user: User, *, reason: str, by: User, days: int | None = None) -> None:
    """Suspend for `days` (it ends by itself) or, without, until someone lifts it."""
    if user.id == by.id:
        raise Refused("You cannot suspend yourself.")
    if days is not None and not 0 < days <= 3650:
        raise Refused("Suspend for 1 to 3,650 days, or until lifted.", field="period")
    user.suspended_at = utcnow()
    user.suspended_until = user.suspended_at + timedelta(days=days) if days else None
    user.suspension_reason = reason.strip()
    db.session.flush()
    record_event("user.suspended", actor=by, subject=user)


def unsuspend_user(user: User, *, by: User) -> None:
    if user.id == by.id:
        raise Refused("You cannot lift your own suspension; ask another admin.")
    user.suspended_at = None
    user.suspended_until = None
    user.suspension_reason = None
    db.session.flush()
    record_event("user.unsuspended", actor=by, subject=user)


def _check_unconfirmed(user: User) -> None:
    if user.email is None or user.email_confirmed:
        raise Refused("This address needs no confirmation.")


def confirm_for_member(user: User, *, by: User) -> None:
    """An admin vouches for the address (the member never got or lost the link)."""
    _check_unconfirmed(user)
    confirm_email(user)
    record_event("user.confirmed_by_team", actor=by, subject=user)


def resend_confirmation(user: User) -> None:
    _check_unconfirmed(user)
    send_confirmation(user)


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


def accept_current_guidelines(user: User) -> None:
    user.guidelines_accepted_at = utcnow()
    db.session.flush()
