"""Notification mail: the worker mails each new notification to its member when their
preference for its topic says "mail" (portal/notifications/preferences.py), or keeps it for
their next daily or weekly digest (digests.py).

Requests only write notifications; the worker decides about each once, in batches, and queues
the mail in the same transaction as the decision: a worker killed halfway leaves the batch
undecided for the next pass, never half mailed. Every mail has a plain-text and an HTML part
in the brand's name and colour, a link to the thing, a one-click unsubscribe from its topic
(RFC 8058) and a link to the preferences, and threading headers that group the mail about
one question or idea in a mail client.
"""

from email.utils import make_msgid
from types import SimpleNamespace
from urllib.parse import urlsplit

from flask import current_app, render_template
from sqlalchemy import select, update

from portal.accounts.models import User
from portal.extensions import db
from portal.mail.services import queue_mail
from portal.notifications.models import MAILED, NOT_MAILED, Notification
from portal.notifications.preferences import (
    DIGESTS,
    Delivery,
    Topic,
    choices_of,
    delivery,
    topic_for,
    unsubscribe_token,
)
from portal.notifications.subjects import still_visible
from portal.public_url import public_url
from portal.site.services import get_settings

BATCH = 200


def mail_notifications(limit: int = BATCH) -> int:
    """Decide about up to `limit` notifications in one transaction and queue the mail of
    those that go out. PostgreSQL skips rows another worker holds; SQLite has one writer, so
    the claiming UPDATE takes what is undecided when its turn comes. Returns how many."""
    undecided = (
        select(Notification.id)
        .where(Notification.mail_state.is_(None))
        .order_by(Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(undecided.scalar_subquery()))
        .values(mail_state=NOT_MAILED)
        .returning(
            Notification.id,
            Notification.user_id,
            Notification.kind,
            Notification.title,
            Notification.note,
            Notification.url,
            Notification.about_kind,
            Notification.about_id,
        )
        .execution_options(synchronize_session=False)
    ).all()
    if not claimed:
        db.session.rollback()
        return 0
    people = {
        user.id: user
        for user in db.session.scalars(
            select(User).where(User.id.in_({n.user_id for n in claimed}))
        )
    }
    choices = choices_of(people)
    wanted, later = [], {digest: [] for digest in DIGESTS}
    for notification in sorted(claimed, key=lambda n: n.id):
        user = people.get(notification.user_id)
        topic = topic_for(notification.kind)
        if user is None or not reachable(user):
            continue
        chosen = delivery(choices, user.id, topic)
        if chosen is Delivery.MAIL:
            wanted.append((notification, user, topic))
        elif chosen in later:  # for the member's next digest, which checks it again
            later[chosen].append(notification.id)
    for digest, ids in later.items():
        if ids:
            db.session.execute(
                update(Notification)
                .where(Notification.id.in_(ids))
                .values(mail_state=digest.value)
                .execution_options(synchronize_session=False)
            )
    # What was hidden or deleted since the notification was written is not mailed.
    seen = still_visible((n.about_kind, n.about_id, user) for n, user, _topic in wanted)
    mailed = []
    for (notification, user, topic), visible in zip(wanted, seen, strict=True):
        if visible:
            _queue(notification, user, topic)
            mailed.append(notification.id)
    if mailed:
        db.session.execute(
            update(Notification)
            .where(Notification.id.in_(mailed))
            .values(mail_state=MAILED)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return len(claimed)


def reachable(user: User) -> bool:
    """A confirmed address the server has not refused for good, and mail not paused."""
    return (
        bool(user.email)
        and user.email_confirmed_at is not None
        and user.email_undeliverable_at is None
        and not user.mail_paused
    )


def absolute(path: str) -> str:
    """A notification's link (a path of this site) on the configured public address."""
    if not path.startswith("/") or path.startswith("//"):
        path = "/"
    return current_app.config["BASE_URL"].rstrip("/") + path


def host() -> str:
    """The public address's host: the domain of the message ids we make."""
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def _thread(path: str) -> str:
    """A message id for what the notification is about (a question, an idea), which every
    mail about it names as its parent: mail clients show them as one conversation."""
    # /questions/12/its-slug: the kind and id, not the slug, which an edit of the title changes.
    about = ".".join(urlsplit(path).path.strip("/").split("/")[:2]) or "community"
    return f"<{about}@{host()}>"


def brand() -> dict:
    """What every mail's template shows of the brand: its settings and logo."""
    site = get_settings()
    logo = (
        public_url("main.brand_logo", filename=site.logo_filename) if site.logo_filename else None
    )
    return {"site": site, "logo": logo, "preferences": public_url("mail.preferences")}


def mail_now(user: User, *, title: str, note: str | None, url: str, topic: Topic) -> None:
    """A notification's mail to one member now, without a notification (a test send)."""
    _queue(SimpleNamespace(title=title, note=note, url=url), user, topic)


def _queue(notification, user: User, topic: Topic) -> None:
    unsubscribe = public_url("mail.unsubscribe", token=unsubscribe_token(user.id, topic))
    thread = _thread(notification.url)
    context = {
        **brand(),
        "title": " ".join(notification.title.split()),
        "note": notification.note,
        "link": absolute(notification.url),
        "topic": topic,
        "unsubscribe": unsubscribe,
    }
    site = context["site"]
    queue_mail(
        user.email,
        f"{context['title']} · {site.community_name}"[:200],
        render_template("mail/notification.txt", **context),
        html=render_template("mail/notification.html", **context),
        headers={
            "Message-ID": make_msgid(domain=host()),
            "In-Reply-To": thread,
            "References": thread,
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",  # RFC 3834: no vacation replies
        },
        kind=topic.name,
    )
