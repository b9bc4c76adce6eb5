"""In-app notifications: write them in the writer's transaction (or queue a large fan-out for the
worker), count and mark them read."""

from collections.abc import Callable, Iterable

from flask import current_app
from sqlalchemy import SelectBase, delete, insert, literal, select, update
from sqlalchemy.exc import SQLAlchemyError

from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db
from portal.follows.models import MUTED
from portal.follows.services import followers
from portal.notifications.models import Notification, NotificationPreference, PendingNotification
from portal.notifications.preferences import Delivery, topic_for


def notify(
    recipients: Iterable[int] | SelectBase,
    *,
    kind: str,
    title: str,
    url: str,
    actor=None,
    note: str | None = None,
    about: tuple[str, int] | None = None,
    unless_muted: tuple[str, int] | None = None,
) -> None:
    """Notify each recipient once; the actor never notifies themselves. `about` names the post
    it is about, as registered in subjects.py ("answer", 12): mail checks it is still visible.
    `unless_muted` ("question", 3): those who muted it are not notified (portal/follows).

    `recipients` is a few user ids, or a select of them (an idea's followers...): then the
    database writes every row in one INSERT ... SELECT and nothing is loaded into Python. For an
    audience that may be thousands (an idea's voters), use `notify_later`."""
    actor_id = actor.id if actor is not None else None
    if not isinstance(recipients, SelectBase):
        ids = {rid for rid in recipients if rid is not None and rid != actor_id}
        if not ids:
            return
        recipients = select(User.id).where(User.id.in_(ids))
    if unless_muted is not None:
        people = recipients.subquery()
        recipients = select(people.c[0]).where(people.c[0].not_in(followers(MUTED, unless_muted)))
    values = {"kind": kind, "title": title[:300], "note": note, "url": url, **_about(about)}
    _insert(recipients, actor_id=actor_id, created_at=utcnow(), **values)


def notify_each(*audiences: tuple, url: str, actor=None, note=None, about=None, unless_muted=None):
    """Tell several audiences about one post, each in its own words: (recipients, kind,
    title) triples sharing the link, the actor, the note and what it is about."""
    for recipients, kind, title in audiences:
        notify(
            recipients,
            kind=kind,
            title=title,
            url=url,
            actor=actor,
            note=note,
            about=about,
            unless_muted=unless_muted,
        )


def _about(about: tuple[str, int] | None) -> dict:
    kind, about_id = about or (None, None)
    return {"about_kind": kind, "about_id": about_id}


def _insert(recipients: SelectBase, **values) -> None:
    """One INSERT ... SELECT: a row of `values` for each distinct recipient but the actor and
    those who turned the kind's topic off."""
    people = recipients.subquery()
    user_id = people.c[0]
    chosen = select(user_id.label("user_id")).where(user_id.is_not(None)).distinct()
    if values["actor_id"] is not None:
        chosen = chosen.where(user_id != values["actor_id"])
    topic = topic_for(values["kind"])
    if topic.may_be_off:  # and some turned it off
        chosen = chosen.where(
            user_id.not_in(
                select(NotificationPreference.user_id).where(
                    NotificationPreference.topic == topic.name,
                    NotificationPreference.delivery == Delivery.OFF,
                )
            )
        )
    chosen = chosen.subquery()
    columns = Notification.__table__.c
    rows = select(
        chosen.c.user_id, *(literal(value, columns[name].type) for name, value in values.items())
    ).order_by(chosen.c.user_id)
    db.session.execute(insert(Notification).from_select(["user_id", *values], rows))


AUDIENCES: dict[str, Callable[[int], SelectBase]] = {}


def audience(name: str):
    """Register a feature's audience for `notify_later`: subject id -> a select of user ids."""

    def register(select_for: Callable[[int], SelectBase]):
        AUDIENCES[name] = select_for
        return select_for

    return register


def notify_later(
    audience_name: str, subject_id: int, *, kind, title, url, actor=None, note=None, about=None
) -> None:
    """Notify an audience too large to write in a request: the worker writes the rows after
    commit (`write_pending`), to the audience as it is then, dated now."""
    db.session.add(
        PendingNotification(
            audience=audience_name,
            subject_id=subject_id,
            actor_id=actor.id if actor is not None else None,
            kind=kind,
            title=title[:300],
            note=note,
            url=url,
            created_at=utcnow(),
            **_about(about),
        )
    )


def write_pending(limit: int = 10) -> int:
    """The worker's pass: write each pending fan-out's notifications and delete it in one
    transaction, so each is written once however many workers run (PostgreSQL skips one that
    another worker holds; SQLite has one writer). One that fails is kept and logged. Returns
    how many were written."""
    table = PendingNotification.__table__
    written = last_id = 0
    while written < limit:
        first = select(table.c.id).where(table.c.id > last_id).order_by(table.c.id).limit(1)
        claimed = db.session.execute(
            delete(table)
            .where(table.c.id == first.with_for_update(skip_locked=True).scalar_subquery())
            .returning(*table.c)
        ).first()
        if claimed is None:
            db.session.rollback()
            break
        last_id = claimed.id
        try:
            values = claimed._asdict()
            recipients = AUDIENCES[values.pop("audience")](values.pop("subject_id"))
            values.pop("id")
            _insert(recipients, **values)
            db.session.commit()
            written += 1
        except (KeyError, SQLAlchemyError):
            db.session.rollback()
            current_app.logger.exception("Pending notifications %s not written (kept)", last_id)
    return written


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
