"""Demo people, plans, product areas and guidelines."""

from portal.accounts.auth import hash_password
from portal.accounts.models import Plan, Role, User
from portal.activity import record_event
from portal.demo import DEMO_PASSWORD, DemoContext
from portal.extensions import db
from portal.markdown import render_markdown
from portal.moderation.trust import LEADER, MEMBER
from portal.site.models import SiteSettings
from portal.site.services import DEFAULT_GUIDELINES
from portal.taxonomy.models import ProductArea

PLANS = [("Free", "free", 1.0), ("Pro", "pro", 2.0), ("Enterprise", "enterprise", 5.0)]

AREAS = [
    ("Mobile app", "mobile-app", "The iOS and Android apps: sync, notifications, offline use."),
    ("Billing", "billing", "Plans, invoices, payment methods and refunds."),
    ("Integrations", "integrations", "Connecting to Slack, Zapier, calendars and the public API."),
    ("Reports", "reports", "Dashboards, exports and scheduled reports."),
    ("Account & security", "account-security", "Sign-in, two-factor, roles and permissions."),
]

TEAM = [
    ("admin", "Alex Morgan", "admin@example.com", Role.ADMIN),
    ("staff", "Sam Rivera", "staff@example.com", Role.STAFF),
    ("staff2", "Priya Natarajan", "priya.support@example.com", Role.STAFF),
    ("product", "Jordan Lee", "product@example.com", Role.PRODUCT),
    ("product2", "Mei Chen", "mei.product@example.com", Role.PRODUCT),
    ("manager", "Robin Okafor", "manager@example.com", Role.MANAGER),
]

MEMBERS = [
    ("member", "Casey Fischer", "member@example.com", "Northwind Traders", "pro"),
    ("m2", "Luis Ortega", "luis@example.com", "Contoso Ltd", "enterprise"),
    ("m3", "Hannah Becker", "hannah@example.com", "Fabrikam", "free"),
    ("m4", "Tomasz Nowak", "tomasz@example.com", "Adventure Works", "pro"),
    ("m5", "Aisha Bello", "aisha@example.com", "Tailspin Toys", "enterprise"),
    ("m6", "Kenji Watanabe", "kenji@example.com", None, "free"),
    ("m7", "Olivia Brown", "olivia@example.com", "Litware", "pro"),
    ("m8", "Mateo Rossi", "mateo@example.com", "Contoso Ltd", "enterprise"),
    ("m9", "Freya Lindqvist", "freya@example.com", None, "free"),
    ("m10", "Noah Dubois", "noah@example.com", "Wide World Importers", "pro"),
    ("m11", "Zara Ahmed", "zara@example.com", "Fabrikam", "free"),
    ("m12", "Ethan Walsh", "ethan@example.com", "Northwind Traders", "enterprise"),
    ("m13", "Sofia Petrova", "sofia@example.com", None, "free"),
    ("m14", "Daniel Kim", "daniel@example.com", "Proseware", "pro"),
]


def load(ctx: DemoContext) -> None:
    for position, (name, slug, weight) in enumerate(PLANS):
        ctx.plans[slug] = Plan(name=name, slug=slug, weight=weight, position=position)
    for position, (name, slug, description) in enumerate(AREAS):
        ctx.areas[slug] = ProductArea(
            name=name,
            slug=slug,
            description=description,
            position=position,
            created_at=ctx.ago(days=400),
        )
    db.session.add_all([*ctx.plans.values(), *ctx.areas.values()])

    password_hash = hash_password(DEMO_PASSWORD)  # one hash: all demo users share it
    for index, (key, name, email, role) in enumerate(TEAM):
        ctx.users[key] = User(
            email=email,
            display_name=name,
            role=role,
            password_hash=password_hash,
            created_at=ctx.ago(days=420 - index),
            guidelines_accepted_at=ctx.ago(days=420 - index),
            email_confirmed_at=ctx.ago(days=420 - index),
            trust_level=LEADER,
        )
    for index, (key, name, email, company, plan) in enumerate(MEMBERS):
        joined = ctx.ago(days=360 - index * 20, hours=ctx.rng.randint(0, 23))
        ctx.users[key] = User(
            email=email,
            display_name=name,
            role=Role.MEMBER,
            password_hash=password_hash,
            company=company,
            plan=ctx.plans[plan],
            created_at=joined,
            guidelines_accepted_at=joined,
            email_confirmed_at=joined,
            # Customers of a year or so: their posts appear at once, unscored.
            trust_level=MEMBER,
        )
    db.session.add_all(ctx.users.values())
    db.session.flush()
    for user in ctx.users.values():
        record_event("user.registered", actor=user, subject=user, at=user.created_at)
    db.session.add(
        SiteSettings(
            id=1,
            community_name="Acme Community",
            tagline="Get answers from Acme experts and customers, and shape what we build next.",
            primary_color="#2457c5",
            guidelines_markdown=DEFAULT_GUIDELINES,
            guidelines_html=render_markdown(DEFAULT_GUIDELINES),
        )
    )
    ctx.count("users", len(ctx.users))
    ctx.count("product areas", len(ctx.areas))
    ctx.count("plans", len(ctx.plans))
