"""`flask demo load`: a small, believable community, the same on every run.

Each feature adds a step (a function taking the DemoContext) to STEPS; steps run in order in one
transaction and report what they created.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update

from portal.clock import utcnow
from portal.database import empty_all_tables
from portal.extensions import db
from portal.mail.digests import skip_due_digests
from portal.notifications.models import NOT_MAILED, Notification
from portal.notifications.services import write_pending

DEMO_PASSWORD = "demo password 1"


class DemoRefused(RuntimeError):
    """The database already has data and --force was not given."""


@dataclass
class DemoContext:
    """Shared state between steps: a seeded random source, a fixed 'now', what was made."""

    rng: random.Random
    now: datetime
    users: dict = field(default_factory=dict)  # key -> User
    areas: dict = field(default_factory=dict)  # slug -> ProductArea
    plans: dict = field(default_factory=dict)  # slug -> Plan
    summary: dict = field(default_factory=dict)

    def ago(self, **delta) -> datetime:
        return self.now - timedelta(**delta)

    def count(self, name: str, n: int = 1) -> None:
        self.summary[name] = self.summary.get(name, 0) + n


def _steps() -> list[Callable[[DemoContext], None]]:
    from portal.demo import community, engagement, events, ideas, searches, support

    return [community.load, support.load, ideas.load, searches.load, events.load, engagement.load]


def database_is_empty() -> bool:
    from portal.accounts.models import User

    return db.session.execute(db.select(User.id).limit(1)).first() is None


def load_demo(*, force: bool = False) -> dict:
    if not database_is_empty():
        if not force:
            raise DemoRefused(
                "The database already has data. Use --force to erase it and load the demo."
            )
        empty_all_tables()
    context = DemoContext(rng=random.Random(20261122), now=utcnow().replace(microsecond=0))
    for step in _steps():
        step(context)
        db.session.flush()
    # The demo's notifications are its history, not news: the mail worker mails none of them.
    # Its large fan-outs (an idea's voters) are written now, so they are history too.
    while write_pending(limit=100):
        pass
    db.session.execute(
        update(Notification).where(Notification.mail_state.is_(None)).values(mail_state=NOT_MAILED)
    )
    # Nor is the week it invented: the digests now due are decided, with nothing sent.
    skip_due_digests(context.now)
    return context.summary
