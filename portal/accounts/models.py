import secrets
from datetime import date, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, SmallInteger, String, Text, UniqueConstraint, false, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import utcnow
from portal.extensions import db


class Role(StrEnum):
    MEMBER = "member"  # a customer
    STAFF = "staff"  # support staff
    PRODUCT = "product"  # the product team
    MANAGER = "manager"  # community manager: moderates, guidelines, trust and the spam filter
    ADMIN = "admin"  # site settings, product areas, plans and everyone's role

    @property
    def label(self) -> str:
        return {
            "member": "Member",
            "staff": "Staff",
            "product": "Product",
            "manager": "Community manager",
            "admin": "Admin",
        }[self.value]


class Plan(db.Model):
    """A customer plan (free, pro, enterprise...); insights weight demand by it."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    weight: Mapped[float] = mapped_column(default=1.0)
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<Plan {self.slug}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Imported users (Stack Exchange dumps) have neither email nor password and cannot log in.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Indexed: the team (staff, product, admins) is a few rows among many members.
    role: Mapped[Role] = mapped_column(String(16), default=Role.MEMBER, index=True)
    company: Mapped[str | None] = mapped_column(String(120))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    reputation: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    guidelines_accepted_at: Mapped[datetime | None]
    email_confirmed_at: Mapped[datetime | None]
    suspended_at: Mapped[datetime | None]
    suspended_until: Mapped[datetime | None]  # None while suspended: until lifted
    suspension_reason: Mapped[str | None] = mapped_column(Text)
    is_imported: Mapped[bool] = mapped_column(default=False)
    # "Pause all mail" in the member's notification settings: account mail still goes out.
    mail_paused: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Shown on the leaderboards (portal/badges) unless the member chose to stay off them.
    on_leaderboards: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Badges earned, by tier: shown beside the name wherever it appears, with no query.
    gold_badges: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    silver_badges: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    bronze_badges: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # When the address was refused for good (SMTP 5xx): no notification mail goes to it until
    # the member confirms an address again.
    email_undeliverable_at: Mapped[datetime | None]
    # new 0, basic 1, member 2, regular 3, leader 4 (portal/moderation/trust.py keeps it);
    # locked: a community manager set it, and it stays until they unlock it.
    trust_level: Mapped[int] = mapped_column(SmallInteger, default=0, server_default=text("0"))
    trust_level_locked: Mapped[bool] = mapped_column(default=False, server_default=false())
    # No longer read: logins are rows of login_sessions. Dropping it rebuilds the table on
    # SQLite, safe only with foreign keys off (portal/database.py turns them on everywhere).
    session_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_hex(16)
    )

    plan: Mapped[Plan | None] = relationship(lazy="joined")

    # The key of the login session this object was loaded or signed in with (not a column):
    # Flask-Login keeps it in the cookie, so logging out can end just that session.
    login_session_key = None

    def get_id(self) -> str | None:
        return self.login_session_key

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def is_suspended(self) -> bool:
        """Suspended now: a suspension for a period ends by itself when the period does."""
        if self.suspended_at is None:
            return False
        return self.suspended_until is None or utcnow() < self.suspended_until

    @property
    def is_team(self) -> bool:
        """Staff, product and admins speak for the brand and get a role badge."""
        return self.role != Role.MEMBER

    def __repr__(self) -> str:
        return f"<User {self.id} {self.display_name!r}>"


class LoginSession(db.Model):
    """One signed-in browser. Its cookie holds a random key, kept here only as a hash (a copy of
    the database signs no one in); logging out deletes the row, and a password reset or change
    deletes every row of that person."""

    __tablename__ = "login_sessions"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Moved forward at most once in a while (accounts/sessions.py), not on every request.
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_agent: Mapped[str | None] = mapped_column(String(255))


class VisitDay(db.Model):
    """A day (UTC) on which a member used the site signed in; trust levels count them."""

    __tablename__ = "visit_days"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)


class ApiToken(db.Model):
    """A personal access token for the API (/api/v1). The secret is shown once when it is made
    and kept here only as a hash; its first characters stay readable, so a member can tell
    their tokens apart."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[str] = mapped_column(String(60))  # space-separated: read write moderate insights
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    # Moved forward at most once a minute (accounts/api_tokens.py), not on every call.
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= utcnow()


class ExternalIdentity(db.Model):
    """A member's account at an OpenID provider, linked to theirs here: signing in there signs
    them in here. `subject` is the provider's stable id for them (the `sub` claim)."""

    __tablename__ = "external_identities"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None]


class SsoProvider(db.Model):
    """An OpenID provider an admin added on the administration pages (PORTAL_OIDC_* ones live
    in the configuration). The client secret is written, never shown again."""

    __tablename__ = "sso_providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)  # in the sign-in address
    label: Mapped[str] = mapped_column(String(60))
    issuer: Mapped[str] = mapped_column(String(300))
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret: Mapped[str] = mapped_column(String(300), default="")
    company_claim: Mapped[str] = mapped_column(String(60), default="")
    plan_claim: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
