"""Signing in with the brand's own accounts: OpenID Connect through Authlib (discovery, the
authorization code flow with PKCE, state and nonce, and the ID token checked against the
provider's keys, issuer, audience and expiry). Which providers: PORTAL_OIDC_* (config.py).

A first sign-in links to an existing account only when the provider says the email address is
verified; otherwise it makes a new member, who accepts the guidelines on their first visit.
The company and plan claims, when configured, set the member's customer segment at each
sign-in. Services flush, never commit."""

import re
import threading
from urllib.parse import urlsplit

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

from portal.accounts.models import ExternalIdentity, Plan, SsoProvider, User
from portal.accounts.services import find_user_by_email, normalise_email
from portal.clock import utcnow
from portal.extensions import db
from portal.writes import Refused

SCOPE = "openid email profile"
EXTENSION = "portal_oidc"


def register(app: Flask) -> None:
    """Each app keeps an Authlib registry of its own, made again when the providers change
    (an admin adds one): `client`."""
    app.extensions[EXTENSION] = {"providers": None, "oauth": None, "lock": threading.Lock()}


def providers() -> dict[str, dict]:
    """The configured providers (PORTAL_OIDC_*) and those admins added, by name."""
    found = dict(current_app.config["OIDC_PROVIDERS"])
    for row in db.session.scalars(db.select(SsoProvider).order_by(SsoProvider.id)):
        found.setdefault(
            row.name,
            {
                "issuer": row.issuer.rstrip("/"),
                "client_id": row.client_id,
                "client_secret": row.client_secret,
                "label": row.label,
                "company_claim": row.company_claim,
                "plan_claim": row.plan_claim,
                "discovery_url": "",
            },
        )
    return found


def client(name: str):
    """Authlib's client for the provider `name`, or None."""
    current = providers()
    if name not in current:
        return None
    state = current_app.extensions[EXTENSION]
    with state["lock"]:
        if state["providers"] != current:
            oauth = OAuth(current_app._get_current_object())
            for each, provider in current.items():
                oauth.register(
                    each,
                    client_id=provider["client_id"],
                    client_secret=provider["client_secret"],
                    server_metadata_url=provider.get("discovery_url")
                    or f"{provider['issuer']}/.well-known/openid-configuration",
                    client_kwargs={
                        "scope": SCOPE,
                        "code_challenge_method": "S256",
                        "timeout": 10,
                    },
                )
            state["providers"], state["oauth"] = current, oauth
        return state["oauth"].create_client(name)


PROVIDER_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def save_provider(provider: SsoProvider | None, **values) -> SsoProvider:
    """Add a provider (None) or change one. An empty `client_secret` keeps the one stored."""
    name = (values.get("name") or "").strip().lower()
    if provider is None:
        if not PROVIDER_NAME.match(name):
            raise Refused("Use lowercase letters, digits and hyphens.", field="name")
        if name in providers():
            raise Refused("There is a provider with that name already.", field="name")
        provider = SsoProvider(name=name)
        db.session.add(provider)
    issuer = (values.get("issuer") or "").strip().rstrip("/")
    if urlsplit(issuer).scheme not in ("https", "http") or not urlsplit(issuer).hostname:
        raise Refused("Give the issuer's address, such as https://id.example.com.", field="issuer")
    provider.issuer = issuer
    provider.label = values["label"].strip()
    provider.client_id = values["client_id"].strip()
    if values.get("client_secret"):
        provider.client_secret = values["client_secret"]
    provider.company_claim = (values.get("company_claim") or "").strip()
    provider.plan_claim = (values.get("plan_claim") or "").strip()
    provider.updated_at = utcnow()
    db.session.flush()
    return provider


def identities_of(user: User) -> list[ExternalIdentity]:
    return list(
        db.session.scalars(
            db.select(ExternalIdentity)
            .where(ExternalIdentity.user_id == user.id)
            .order_by(ExternalIdentity.id)
        )
    )


def _text(claims: dict, key: str, limit: int) -> str | None:
    value = claims.get(key) if key else None
    if not isinstance(value, str) or not value.strip():
        return None
    return " ".join(value.split())[:limit]


def sign_in_with(provider: str, claims: dict, *, linking: User | None = None) -> User:
    """The member these checked claims sign in (or `linking`, signed in already, who links
    this provider account to theirs)."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise Refused("The provider did not say who you are.")
    identity = db.session.scalars(
        db.select(ExternalIdentity).where(
            ExternalIdentity.provider == provider, ExternalIdentity.subject == subject[:255]
        )
    ).one_or_none()
    email = _text(claims, "email", 254)
    email = normalise_email(email) if email else None
    verified = claims.get("email_verified") is True
    if linking is not None:
        if identity is not None and identity.user_id != linking.id:
            raise Refused("That account is already linked to another member here.")
        user = linking
    elif identity is not None:
        user = db.session.get(User, identity.user_id)
    else:
        user = find_user_by_email(email) if email else None
        if user is not None and not verified:
            raise Refused(
                "An account here already uses that email address, and the provider has not "
                "verified it. Log in with your password, then link the provider in settings."
            )
        if user is None:
            user = _new_member(claims, email, verified)
    if identity is None:
        identity = ExternalIdentity(user_id=user.id, provider=provider, subject=subject[:255])
        db.session.add(identity)
    identity.email = email
    identity.last_sign_in_at = utcnow()
    _update_segment(user, claims, providers()[provider])
    db.session.flush()
    return user


def _new_member(claims: dict, email: str | None, verified: bool) -> User:
    name = (
        _text(claims, "name", 60)
        or _text(claims, "preferred_username", 60)
        or (email.split("@")[0][:60] if email else None)
        or "New member"
    )
    user = User(
        email=email,
        display_name=name if len(name) >= 2 else f"{name} (member)",
        password_hash=None,
        email_confirmed_at=utcnow() if verified and email else None,
        guidelines_accepted_at=None,  # accepted on the first visit (portal/main/views.py)
    )
    db.session.add(user)
    db.session.flush()
    return user


def _update_segment(user: User, claims: dict, provider: dict) -> None:
    """The brand's own data about the customer, as its provider says at each sign-in."""
    company = _text(claims, provider["company_claim"], 120)
    if company is not None:
        user.company = company
    plan_name = _text(claims, provider["plan_claim"], 60)
    if plan_name is not None:
        plan = db.session.scalars(
            db.select(Plan).where((Plan.slug == plan_name.lower()) | (Plan.name == plan_name))
        ).first()
        if plan is not None:
            user.plan_id = plan.id


def unlink(user: User, identity: ExternalIdentity) -> None:
    """A member stops signing in with that provider account; never their last way in."""
    if identity.user_id != user.id:
        raise Refused("That is not one of your linked accounts.")
    if user.password_hash is None and len(identities_of(user)) <= 1:
        raise Refused(
            "This is your only way to sign in: set a password first (Forgot your password? on "
            "the login page sends a link)."
        )
    db.session.delete(identity)
    db.session.flush()
