"""Personal access tokens for the API: made by a member for themselves, shown once, kept as a
hash, revoked by their owner or an admin. A token acts as its owner, within its scopes, and
every call is still checked by `can()` against the owner as they are now (a suspended owner's
token reads and nothing else). Services flush, never commit."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import update

from portal.accounts.models import ApiToken, Role, User
from portal.accounts.permissions import Permission, can
from portal.clock import utcnow
from portal.extensions import db
from portal.writes import Refused

# What a token may be used for; the owner's role and state still decide each call.
SCOPES = {
    "read": "Read what you can see on the site",
    "write": "Ask, answer, comment, vote and suggest ideas as you",
    "moderate": "Moderate: close, delete and change idea statuses (the team)",
    "insights": "Read insights figures (the team)",
}
# Scopes that only people who hold the matching power may put on a token.
SCOPE_NEEDS = {"moderate": Permission.MODERATE, "insights": Permission.VIEW_INSIGHTS}
LIFETIMES = {"30": 30, "90": 90, "365": 365, "never": None}  # days
MAX_TOKENS = 25
PREFIX = "cpat_"  # "community portal access token": secret scanners can look for it
# last_used_at is this coarse: a token used again sooner costs no write.
USED_EVERY = timedelta(minutes=1)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def scopes_offered(user: User) -> dict[str, str]:
    """The scopes `user` may give a token."""
    return {
        scope: label
        for scope, label in SCOPES.items()
        if scope not in SCOPE_NEEDS or can(user, SCOPE_NEEDS[scope])
    }


def check_can_make_token(user: User) -> None:
    if not can(user, Permission.EDIT_OWN_PROFILE):
        raise Refused("Your account is suspended, so it cannot make API tokens.")


def create_token(
    user: User, *, name: str, scopes: list[str], lifetime: str = "90"
) -> tuple[ApiToken, str]:
    """A new token of `user`, and its secret: the only time anyone sees it."""
    check_can_make_token(user)
    name = " ".join(name.split())
    if not name:
        raise Refused("Give the token a name, to know later what uses it.", field="name")
    wanted = set(scopes)
    if not wanted:
        raise Refused("Choose at least one scope.", field="scopes")
    refused = wanted - scopes_offered(user).keys()
    if refused:
        raise Refused(f"You may not give a token the scope {sorted(refused)[0]}.", field="scopes")
    if lifetime not in LIFETIMES:
        raise Refused("Choose how long the token lasts.", field="lifetime")
    if len(tokens_of(user)) >= MAX_TOKENS:
        raise Refused(f"You have {MAX_TOKENS} tokens already: revoke one you no longer use.")
    secret = PREFIX + secrets.token_urlsafe(32)
    days = LIFETIMES[lifetime]
    token = ApiToken(
        user_id=user.id,
        name=name[:80],
        secret_hash=secret_hash(secret),
        prefix=secret[: len(PREFIX) + 4],
        scopes=" ".join(scope for scope in SCOPES if scope in wanted),
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_token(token: ApiToken, by: User) -> None:
    """Its owner, or an admin, ends the token at once."""
    if not (by.id == token.user_id or can(by, Permission.ADMINISTER)):
        raise Refused("You may not revoke that token.")
    db.session.delete(token)
    db.session.flush()


def authenticate(secret: str) -> ApiToken | None:
    """The live token with this secret, with its owner loaded; None for an unknown, revoked or
    expired one. Notes its use at most once a minute."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = db.session.execute(
        db.select(ApiToken).where(ApiToken.secret_hash == secret_hash(secret))
    ).scalar_one_or_none()
    if token is None or token.is_expired:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > USED_EVERY:
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        db.session.commit()
    return token


SERVICE_ROLES = (Role.MEMBER, Role.STAFF, Role.PRODUCT)


def create_service_token(
    *, name: str, role: str, scopes: list[str], lifetime: str = "365"
) -> tuple[ApiToken, str]:
    """A token for an integration rather than a person (a helpdesk, a CRM sync): it acts as a
    service account of its own, with the role the admin gives it, which can never sign in
    (no email, no password) and shows its name on what it posts."""
    name = " ".join(name.split())
    if not 2 <= len(name) <= 60:
        raise Refused("Name the integration in 2 to 60 characters.", field="name")
    if role not in {r.value for r in SERVICE_ROLES}:
        raise Refused("Choose member, staff or product.", field="role")
    now = utcnow()
    account = User(
        display_name=name,
        role=Role(role),
        email=None,
        password_hash=None,
        guidelines_accepted_at=now,
        email_confirmed_at=now,
        trust_level=2,  # posts at once, as an established member would
    )
    db.session.add(account)
    db.session.flush()
    return create_token(account, name=name, scopes=scopes, lifetime=lifetime)


def all_tokens() -> list[ApiToken]:
    """Every token, newest first, with its owner: for admins."""
    return list(db.session.scalars(db.select(ApiToken).order_by(ApiToken.id.desc())))


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            db.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )
