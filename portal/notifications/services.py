"""In-app notifications: queue them in the writer's transaction, count and mark them read."""

from collections.abc import Iterable

from sqlalchemy import insert, update

from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db
from portal.notifications.models import Notification


def notify(
    recipient_ids: Iterable[int],
    *,
    kind: str,
    title: str,
    url: str,
    actor=None,
    note: str | None = None,
) -> int:
    """Notify each recipient once; the actor never notifies themselves. Returns how many."""
    actor_id = actor.id if actor is not None else None
    recipients = sorted({rid for rid in recipient_ids if rid is not None and rid != actor_id})
    if not recipients:
        return 0
    now = utcnow()
    db.session.execute(
        insert(Notification),
        [
            {
                "user_id": rid,
                "actor_id": actor_id,
                "kind": kind,
                "title": title[:300],
                "note": note,
                "url": url,
                "created_at": now,
            }
            for rid in recipients
        ],
    )
    return len(recipients)


def unread_count(user) -> int:
    """Counted now: the count loaded with a member is as of the start of their request."""
    return db.session.execute(
        db.select(User.unread_notification_count).where(User.id == user.id)
    ).scalar_one()


def notifications_for(user):
    """A select of the user's notifications, newest first (for pagination)."""
    return (
        db.select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def mark_read(user, notification_id: int | None = None) -> Notification | None:
    """Mark one notification (or, with no id, all of them) read; returns the one it marked."""
    if notification_id is None:
        db.session.execute(
            update(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
        )
        return None
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        return None
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification
