from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import utcnow
from portal.extensions import db

MAX_ATTEMPTS = 8  # tries of one message before it is given up (and kept)


class OutboxMail(db.Model):
    """One message to send; kept after sending (sent_at) so nothing is silently lost."""

    __tablename__ = "outbox_mail"
    __table_args__ = (Index("ix_outbox_mail_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # plain text
    html: Mapped[str | None] = mapped_column(Text)  # the same, as HTML, when there is one
    headers: Mapped[str | None] = mapped_column(Text)  # JSON: threading, List-Unsubscribe...
    kind: Mapped[str | None] = mapped_column(String(40))  # a notification topic, "account"...
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]

    @property
    def state(self) -> str:
        if self.sent_at is not None:
            return "sent"
        if self.attempts >= MAX_ATTEMPTS:
            return "given up"
        return "retrying" if self.attempts else "queued"


class DigestSend(db.Model):
    """A member's digest for one period, decided: the claim that makes it one per member and
    period however many workers build digests (portal/mail/digests.py). Kept whether or not
    there was anything to say, so nobody is looked at twice."""

    __tablename__ = "digest_sends"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    period: Mapped[str] = mapped_column(String(20), primary_key=True)  # "weekly:2026-12-07"
    mailed: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
