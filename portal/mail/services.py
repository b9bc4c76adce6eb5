"""Queue mail in the caller's transaction; the mail worker (`flask mail worker`) delivers it.

`PORTAL_MAIL_URL` says where mail goes: `smtp://host:port` (or `smtp://user:pass@host:port`,
`smtps://...` for TLS) or `console://` (development default: printed on the worker's terminal,
which `make run` shares, marked sent).

A worker claims due messages in one statement, so two workers never send the same one, and
records each message's acceptance by the server in its own commit as soon as the server
answers. A claim lasts `MAIL_CLAIM_SECONDS` and the worker renews it while it works through the
batch: when a worker is killed, what it had not sent is sent by the next worker once the claim
runs out, and what the server had accepted is never sent again. (Only a kill in the instant
between the server's answer and that commit sends a message twice: delivery is at least once.)
"""

import contextlib
import json
import smtplib
import sys
import threading
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import and_, func, select, update

from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db
from portal.mail.models import MAX_ATTEMPTS, OutboxMail

BATCH = 20
# Headers are not folded below the line limit of RFC 5322: a List-Unsubscribe URL, which has
# no space to fold at, would otherwise be sent as encoded words no mail client follows.
POLICY = default_policy.clone(max_line_length=998)


def queue_mail(
    to_address: str,
    subject: str,
    body: str,
    *,
    html: str | None = None,
    headers: dict[str, str] | None = None,
    kind: str | None = None,
) -> OutboxMail:
    """Queue a message in the caller's transaction: plain text, and the same as HTML when
    given; `headers` (threading, List-Unsubscribe...) are set as they are."""
    mail = OutboxMail(
        to_address=to_address,
        subject=subject,
        body=body,
        html=html,
        headers=json.dumps(headers) if headers else None,
        kind=kind,
    )
    db.session.add(mail)
    return mail


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 240))


def _message(mail) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    for name, value in json.loads(mail.headers or "{}").items():
        message[name] = value
    message.set_content(mail.body)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    return message


_CONSOLE = threading.Lock()  # one message at a time, so threads' mail does not interleave


def _print_to_console(message: EmailMessage) -> None:
    """Print mail where the person running the portal looks: the worker's standard error, which
    `make run` shares with gunicorn. The body is printed as written, not as encoded for SMTP, so
    links are never broken across lines."""
    headers = "".join(f"{name}: {message[name]}\n" for name in ("From", "To", "Subject"))
    rule = "-" * 72
    plain = message.get_body(("plain",))
    text = f"\n{rule}\nMail (console://, not sent)\n{headers}\n{plain.get_content()}{rule}\n"
    with _CONSOLE:
        sys.stderr.write(text)
        sys.stderr.flush()


@contextlib.contextmanager
def _connection():
    """A function that sends one message, over one SMTP connection for a whole batch."""
    url = urlsplit(current_app.config["MAIL_URL"])
    if url.scheme == "console":
        yield _print_to_console
        return
    smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with smtp_class(url.hostname or "127.0.0.1", url.port or 25, timeout=10) as smtp:
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        yield smtp.send_message


def _due(now):
    return and_(
        OutboxMail.sent_at.is_(None),
        OutboxMail.attempts < MAX_ATTEMPTS,
        OutboxMail.next_attempt_at <= now,
    )


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"])


def _claim(limit: int, now) -> list:
    """Claim up to `limit` due messages until `now` plus the lease, and commit, so no other
    worker takes them: PostgreSQL skips rows another worker has locked (FOR UPDATE SKIP
    LOCKED); SQLite has one writer at a time, so the UPDATE takes what is due when its turn
    comes. A claim counts as an attempt."""
    due = (
        select(OutboxMail.id)
        .where(_due(now))
        .order_by(OutboxMail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id.in_(due.scalar_subquery()))
        .values(attempts=OutboxMail.attempts + 1, next_attempt_at=now + _lease())
        .returning(
            OutboxMail.id,
            OutboxMail.to_address,
            OutboxMail.subject,
            OutboxMail.body,
            OutboxMail.html,
            OutboxMail.headers,
            OutboxMail.attempts,
        )
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(claimed, key=lambda mail: mail.id)


def _permanent(error: Exception) -> bool:
    """The server refused the message for good (5xx): retrying would only be refused again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _record(mail, error: Exception | None) -> None:
    now = utcnow()
    if error is None:
        values = {"sent_at": now, "last_error": None}
    else:
        values = {
            "last_error": f"{type(error).__name__}: {error}"[:2000],
            "next_attempt_at": now + _backoff(mail.attempts),
        }
        if _permanent(error):
            values["attempts"] = MAX_ATTEMPTS
            _mark_undeliverable(mail.to_address, now)
        given_up = _permanent(error) or mail.attempts >= MAX_ATTEMPTS
        log = current_app.logger.error if given_up else current_app.logger.warning
        outcome = "given up (kept in outbox_mail)" if given_up else "will be retried"
        log("Mail %s to %s not sent, %s: %s", mail.id, mail.to_address, outcome, error)
    db.session.execute(update(OutboxMail).where(OutboxMail.id == mail.id).values(**values))
    db.session.commit()


def _mark_undeliverable(address: str, now) -> None:
    """The server refused `address` for good: stop notification mail to the member who has it
    (portal/mail/notices.py) until they confirm an address again."""
    db.session.execute(
        update(User)
        .where(func.lower(User.email) == address.lower(), User.email_undeliverable_at.is_(None))
        .values(email_undeliverable_at=now)
    )


def _hold(claimed: list, since) -> object | None:
    """Before sending the next message: renew the claim on the rest of the batch once half
    the lease has gone, and say when it was last renewed; None when the claim ran out (a send
    that hung longer than the lease), so another worker may have taken the rest."""
    now, lease = utcnow(), _lease()
    if now >= since + lease:
        return None
    if now >= since + lease / 2:
        db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id.in_([mail.id for mail in claimed]), OutboxMail.sent_at.is_(None))
            .values(next_attempt_at=now + lease)
        )
        db.session.commit()
        return now
    return since


def deliver_pending(limit: int = BATCH) -> tuple[int, int]:
    """Claim and send up to `limit` due messages; returns (sent, failed). A message the server
    refuses fails alone; when the connection fails, the rest of the batch waits for a retry."""
    held_since = utcnow()
    claimed = _claim(limit, held_since)
    sent = failed = 0
    if not claimed:
        return sent, failed
    try:
        with _connection() as send:
            for index, mail in enumerate(claimed):
                held_since = _hold(claimed[index:], held_since)
                if held_since is None:
                    current_app.logger.warning("Mail claim ran out; the rest is left to retry")
                    break
                try:
                    send(_message(mail))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
                    _record(mail, error)
                    failed += 1
                else:
                    _record(mail, None)
                    sent += 1
    except (OSError, smtplib.SMTPException) as error:
        for mail in claimed[sent + failed :]:
            _record(mail, error)
            failed += 1
    return sent, failed


def pending_count() -> int:
    return db.session.execute(
        db.select(db.func.count(OutboxMail.id)).where(
            OutboxMail.sent_at.is_(None), OutboxMail.attempts < MAX_ATTEMPTS
        )
    ).scalar_one()


def given_up_count() -> int:
    return db.session.execute(
        db.select(db.func.count(OutboxMail.id)).where(
            OutboxMail.sent_at.is_(None), OutboxMail.attempts >= MAX_ATTEMPTS
        )
    ).scalar_one()


def send_test_mail(to_address: str) -> tuple[bool, str]:
    """Send a short message now, past the queue, and say how the SMTP conversation went: for
    an admin checking the settings, who waits for the answer (at most the 10 s timeout)."""
    mail = OutboxMail(
        to_address=to_address,
        subject="A test mail from the community",
        body="This is a test mail sent from the administration's mail page. It arrived.",
    )
    message = _message(mail)
    url = urlsplit(current_app.config["MAIL_URL"])
    if url.scheme == "console":
        _print_to_console(message)
        return True, "Printed on the portal's terminal, not sent: PORTAL_MAIL_URL is console://."
    try:
        with _connection() as send:
            refused = send(message)
    except smtplib.SMTPRecipientsRefused as error:
        code, reply = next(iter(error.recipients.values()))
        return False, f"The server refused {to_address}: {code} {reply.decode(errors='replace')}"
    except smtplib.SMTPResponseException as error:
        reply = (
            error.smtp_error.decode(errors="replace")
            if isinstance(error.smtp_error, bytes)
            else error.smtp_error
        )
        return False, f"The server answered {error.smtp_code} {reply}"
    except (OSError, smtplib.SMTPException) as error:
        return False, f"No conversation with {url.hostname}:{url.port or 25}: {error}"
    if refused:
        return False, f"The server refused {', '.join(refused)}."
    return True, f"Accepted by {url.hostname}:{url.port or 25} for {to_address}."
