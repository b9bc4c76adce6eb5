"""Queue mail in the caller's transaction; deliver what is due after the request, with retries.

`PORTAL_MAIL_URL` says where mail goes: `smtp://host:port` (or `smtp://user:pass@host:port`,
`smtps://...` for TLS) or `console://` (development default: printed on the server's terminal,
marked sent).
"""

import smtplib
import sys
import threading
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import current_app, g
from sqlalchemy import update

from portal.clock import utcnow
from portal.extensions import db
from portal.mail.models import OutboxMail

MAX_ATTEMPTS = 8
BATCH = 50


def queue_mail(to_address: str, subject: str, body: str) -> OutboxMail:
    mail = OutboxMail(to_address=to_address, subject=subject, body=body)
    db.session.add(mail)
    g.mail_queued = True
    return mail


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 240))


def _message(mail: OutboxMail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    return message


_CONSOLE = threading.Lock()  # one message at a time, so threads' mail does not interleave


def _print_to_console(message: EmailMessage) -> None:
    """Print mail where the person running the portal looks: the server's standard error,
    whatever the log level (gunicorn shows only warnings of the app's logger). The body is
    printed as written, not as encoded for SMTP, so links are never broken across lines."""
    headers = "".join(f"{name}: {message[name]}\n" for name in ("From", "To", "Subject"))
    rule = "-" * 72
    text = f"\n{rule}\nMail (console://, not sent)\n{headers}\n{message.get_content()}{rule}\n"
    with _CONSOLE:
        sys.stderr.write(text)
        sys.stderr.flush()


def _transport(messages: list[EmailMessage]) -> None:
    url = urlsplit(current_app.config["MAIL_URL"])
    if url.scheme == "console":
        for message in messages:
            _print_to_console(message)
        return
    smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with smtp_class(url.hostname or "127.0.0.1", url.port or 25, timeout=10) as smtp:
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        for message in messages:
            smtp.send_message(message)


def deliver_pending() -> tuple[int, int]:
    """Send every due message; returns (sent, failed). Safe to run in several processes:
    each message is claimed with a conditional UPDATE before it is sent."""
    now = utcnow()
    due = db.session.scalars(
        db.select(OutboxMail)
        .where(
            OutboxMail.sent_at.is_(None),
            OutboxMail.attempts < MAX_ATTEMPTS,
            OutboxMail.next_attempt_at <= now,
        )
        .order_by(OutboxMail.id)
        .limit(BATCH)
    ).all()
    sent = failed = 0
    for mail in due:
        claimed = db.session.execute(
            update(OutboxMail)
            .where(
                OutboxMail.id == mail.id,
                OutboxMail.attempts == mail.attempts,
                OutboxMail.sent_at.is_(None),
            )
            .values(attempts=OutboxMail.attempts + 1, next_attempt_at=now + _backoff(mail.attempts))
        ).rowcount
        db.session.commit()
        if not claimed:
            continue
        try:
            _transport([_message(mail)])
        except (OSError, smtplib.SMTPException) as error:
            mail.last_error = f"{type(error).__name__}: {error}"[:2000]
            failed += 1
            current_app.logger.warning(
                "Mail %s to %s not sent: %s", mail.id, mail.to_address, error
            )
        else:
            mail.sent_at = utcnow()
            mail.last_error = None
            sent += 1
        db.session.commit()
    return sent, failed


def pending_count() -> int:
    return db.session.execute(
        db.select(db.func.count(OutboxMail.id)).where(
            OutboxMail.sent_at.is_(None), OutboxMail.attempts < MAX_ATTEMPTS
        )
    ).scalar_one()
