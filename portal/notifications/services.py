"""In-app notifications: queue them in the writer's transaction, count and mark them read."""

from collections.abc import Iterable

from sqlalchemy import SelectBase, insert, literal, select, update

from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db
from portal.notifications.models import Notification


def notify(
    recipients: Iterable[int] | SelectBase,
    *,
    kind: str,
    title: str,
    url: str,
    actor=None,
    note: str | None = None,
) -> None:
    """Notify each recipient once; the actor never notifies themselves.

    `recipients` is a few user ids, or a select of them (voters, followers...): then the
    database writes every row in one INSERT ... SELECT, so an idea with thousands of voters
    costs one statement and nothing is loaded into Python."""
    actor_id = actor.id if actor is not None else None
    if not isinstance(recipients, SelectBase):
        ids = {rid for rid in recipients if rid is not None and rid != actor_id}
        if not ids:
            return
        recipients = select(User.id).where(User.id.in_(ids))
    people = recipients.subquery()
    user_id = people.c[0]
    chosen = select(user_id.label("user_id")).where(user_id.is_not(None)).distinct()
    if actor_id is not None:
        chosen = chosen.where(user_id != actor_id)
    chosen = chosen.subquery()
    values = {
        "actor_id": actor_id,
        "kind": kind,
        "title": title[:300],
        "note": note,
        "url": url,
        "created_at": utcnow(),
    }
    columns = Notification.__table__.c
    rows = select(
        chosen.c.user_id, *(literal(value, columns[name].type) for name, value in values.items())
    ).order_by(chosen.c.user_id)
    db.session.execute(insert(Notification).from_select(["user_id", *values], rows))


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
