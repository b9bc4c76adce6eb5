"""The worker's round: read the activity since the last round, ask each badge whose activity
came who of the people it names has earned it, and award what is new. An award is one
INSERT ... ON CONFLICT DO NOTHING on (member, badge), so two workers at once, or a round run
again after a crash, never award a badge twice; only the insert that happened notifies."""

from flask import current_app
from sqlalchemy import select, update

from portal.accounts.models import User
from portal.activity import record_event
from portal.activity.models import ActivityEvent
from portal.badges.definitions import BADGES, Badge
from portal.badges.models import BadgeAward, BadgeCursor
from portal.badges.search import NUMBERS
from portal.clock import utcnow
from portal.database import insert_or_ignore
from portal.extensions import db
from portal.notifications.services import notify
from portal.public_url import site_path
from portal.search.changes import record_search_change

BATCH = 2000  # activity events a round reads (a community's whole history takes a few rounds)


def award_due() -> int:
    """One round of the worker, committed; how many badges it awarded."""
    if not current_app.config["BADGES"]:
        return 0
    awarded, _ = award_round()
    db.session.commit()
    return awarded


def award_round() -> tuple[int, bool]:
    """One round in the session's transaction: (badges awarded, whether activity is left)."""
    cursor = db.session.get(BadgeCursor, 1)
    last = cursor.last_event_id if cursor is not None else 0
    events = list(
        db.session.scalars(
            select(ActivityEvent)
            .where(ActivityEvent.id > last)
            .order_by(ActivityEvent.id)
            .limit(BATCH)
        )
    )
    awarded = sum(_award(badge, events) for badge in BADGES)
    if events:
        _move_cursor(events[-1].id)
    return awarded, len(events) == BATCH


def _award(badge: Badge, events: list[ActivityEvent]) -> int:
    if "" in badge.after:  # looked at on every round (attendance: when an event has ended)
        named = events
    else:
        named = [event for event in events if event.kind in badge.after]
        if not named:
            return 0
    people = badge.candidates(named)
    if not people:
        return 0
    have = set(
        db.session.scalars(
            select(BadgeAward.user_id).where(
                BadgeAward.badge == badge.key, BadgeAward.user_id.in_(people)
            )
        )
    )
    awarded = 0
    for user_id in sorted(badge.earned(people - have)):
        new = insert_or_ignore(
            BadgeAward,
            {"user_id": user_id, "badge": badge.key, "awarded_at": utcnow()},
            index_elements=["user_id", "badge"],
        )
        if new is None:
            continue  # another worker awarded it a moment ago
        tier = getattr(User, f"{badge.tier}_badges")
        db.session.execute(update(User).where(User.id == user_id).values({tier: tier + 1}))
        record_search_change("badge", NUMBERS[badge.key])  # how many have it, in search
        notify(
            [user_id],
            kind="badge.awarded",
            title=f"You earned the {badge.name} badge: {badge.description.lower()}",
            url=site_path("accounts.profile", user_id=user_id) + "#badges",
        )
        record_event(
            "badge.awarded",
            actor=db.session.get(User, user_id),  # the member it is about: their profile lists it
            badge=badge.key,
            title=badge.name,
        )
        awarded += 1
    return awarded


def _move_cursor(last_id: int) -> None:
    moved = db.session.execute(
        update(BadgeCursor)
        .where(BadgeCursor.id == 1, BadgeCursor.last_event_id < last_id)
        .values(last_event_id=last_id)
    ).rowcount
    if not moved and db.session.get(BadgeCursor, 1) is None:
        insert_or_ignore(BadgeCursor, {"id": 1, "last_event_id": last_id})
