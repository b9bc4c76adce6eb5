"""The activity log, a core package every feature records into: `record_event` adds one event
to the caller's transaction (services call it; it only flushes)."""

from collections.abc import Callable
from datetime import datetime

from portal.activity.models import ActivityEvent
from portal.extensions import db

# Told of each event as it is recorded, in the same transaction (webhooks queue from here).
listeners: list[Callable[[ActivityEvent], None]] = []


def subject_type_of(obj) -> str:
    """`question`, `idea`, `user`...: the model's table name in the singular, or the name a
    model gives itself (`__subject_type__`) where that reads badly ("changelog_entrie")."""
    return getattr(obj, "__subject_type__", None) or obj.__tablename__.removesuffix("s")


def record_event(
    kind: str,
    *,
    actor=None,
    subject=None,
    product_area_id: int | None = None,
    at: datetime | None = None,
    **data,
) -> ActivityEvent:
    event = ActivityEvent(
        kind=kind,
        actor_id=actor.id if actor is not None else None,
        product_area_id=product_area_id,
        subject_type=subject_type_of(subject) if subject is not None else None,
        subject_id=subject.id if subject is not None else None,
        data=data or None,
    )
    if at is not None:
        event.created_at = at
    db.session.add(event)
    for listener in listeners:
        listener(event)
    return event
