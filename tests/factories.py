"""Small factories: each makes a valid, committed row with sensible defaults you can override."""

import itertools

from werkzeug.security import generate_password_hash

from portal.accounts.models import Plan, Role, User
from portal.clock import utcnow
from portal.extensions import db
from portal.moderation.trust import MEMBER
from portal.taxonomy.models import ProductArea

PASSWORD = "correct horse battery"
_sequence = itertools.count(1)
_password_hash = None


def _hash() -> str:
    global _password_hash
    if _password_hash is None:
        _password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    return _password_hash


def make_user(role: Role | str = Role.MEMBER, **fields) -> User:
    n = next(_sequence)
    values = {
        "email": f"user{n}@example.com",
        "display_name": f"{str(role).capitalize()} {n}",
        "password_hash": _hash(),
        "role": Role(role),
        "guidelines_accepted_at": utcnow(),
        "email_confirmed_at": utcnow(),
        # An established member: posts at once, unscored. Screening's tests ask for "new".
        "trust_level": MEMBER,
    }
    values.update(fields)
    if values.pop("suspended", False):
        values["suspended_at"] = utcnow()
        values.setdefault("suspension_reason", "posting spam")
    user = User(**values)
    db.session.add(user)
    db.session.commit()
    return user


def make_area(name: str | None = None, **fields) -> ProductArea:
    n = next(_sequence)
    name = name or f"Area {n}"
    area = ProductArea(name=name, slug=fields.pop("slug", f"area-{n}"), **fields)
    db.session.add(area)
    db.session.commit()
    return area


def make_plan(name: str | None = None, weight: float = 1.0) -> Plan:
    n = next(_sequence)
    plan = Plan(name=name or f"Plan {n}", slug=f"plan-{n}", weight=weight, position=n)
    db.session.add(plan)
    db.session.commit()
    return plan


def make_question(author=None, area=None, **fields):
    """A question asked through the service (events, search changes and counters included)."""
    from portal.support.services import ask_question

    n = next(_sequence)
    author = author or make_user()
    area = area or make_area()
    question, _ = ask_question(
        author,
        title=fields.pop("title", f"How do I configure feature number {n}?"),
        body=fields.pop("body", f"I tried the settings page but nothing changed ({n})."),
        area=area,
        tags=fields.pop("tags", []),
    )
    for name, value in fields.items():
        setattr(question, name, value)
    db.session.commit()
    return question


def make_answer(question, author=None, body=None):
    from portal.support.services import post_answer

    author = author or make_user()
    answer = post_answer(question, author, body or "Open Settings, then Billing, then Save it.")
    db.session.commit()
    return answer


def make_idea(author: User | None = None, *, title: str | None = None, area=None, **fields):
    """An idea suggested through the service (so its author votes and follows), committed."""
    from portal.ideas.services import suggest_idea

    n = next(_sequence)
    status = fields.pop("status", None)
    idea = suggest_idea(
        author or make_user(),
        title=title or f"Idea number {n} for the board",
        body=fields.pop("body", f"Body of idea {n}."),
        area=area,
        at=fields.pop("at", None),
    )
    for name, value in fields.items():
        setattr(idea, name, value)
    if status is not None:
        idea.status = status
    db.session.commit()
    return idea
