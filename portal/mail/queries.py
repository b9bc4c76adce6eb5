"""What /admin/mail shows: the queue's figures and the delivery log."""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from flask import current_app
from sqlalchemy import Select, func, select

from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db
from portal.mail.models import MAX_ATTEMPTS, OutboxMail


@dataclass(frozen=True)
class MailFigures:
    queued: int  # waiting for their first try
    retrying: int  # tried, failed for now, will be tried again
    sent_last_day: int
    sent: int
    given_up: int  # refused for good, or failed every try: kept, never sent
    undeliverable_addresses: int


def mail_figures() -> MailFigures:
    unsent = OutboxMail.sent_at.is_(None)
    row = db.session.execute(
        select(
            func.count().filter(unsent, OutboxMail.attempts == 0),
            func.count().filter(
                unsent, OutboxMail.attempts > 0, OutboxMail.attempts < MAX_ATTEMPTS
            ),
            func.count().filter(OutboxMail.sent_at >= utcnow() - timedelta(days=1)),
            func.count(OutboxMail.sent_at),
            func.count().filter(unsent, OutboxMail.attempts >= MAX_ATTEMPTS),
        )
    ).one()
    undeliverable = db.session.scalar(
        select(func.count()).where(User.email_undeliverable_at.is_not(None))
    )
    return MailFigures(*row, undeliverable)


def delivery_log(address: str = "") -> Select:
    """Mail newest first; with `address`, to addresses that contain it."""
    query = select(OutboxMail).order_by(OutboxMail.id.desc())
    address = address.strip().lower()
    if address:
        query = query.where(func.lower(OutboxMail.to_address).contains(address, autoescape=True))
    return query


def mail_settings() -> dict[str, str]:
    """The mail settings in effect, with any password in PORTAL_MAIL_URL hidden."""
    shown = current_app.config["MAIL_URL"]
    url = urlsplit(shown)
    if url.password:
        host = url.hostname or ""
        port = f":{url.port}" if url.port else ""
        shown = urlunsplit(url._replace(netloc=f"{url.username}:•••@{host}{port}"))
    return {
        "PORTAL_MAIL_URL": shown,
        "PORTAL_MAIL_FROM": current_app.config["MAIL_FROM"],
        "PORTAL_BASE_URL (links in mail)": current_app.config["BASE_URL"],
        "PORTAL_MAIL_POLL_SECONDS": f"{current_app.config['MAIL_POLL_SECONDS']:g}",
    }
