from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db
from portal.taxonomy.models import ProductArea

EVENT, AMA = "event", "ama"
GOING, MAYBE, NOT_GOING = "going", "maybe", "not_going"
RESPONSES = {GOING: "Going", MAYBE: "Maybe", NOT_GOING: "Not going"}


class Event(db.Model):
    """An event at a moment in a time zone: its start and end are kept in UTC, with the zone it
    was planned in (what its page and its calendar entry say beside each viewer's own)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default=EVENT)  # event | ama
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)  # Markdown
    body_html: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(index=True)  # UTC
    ends_at: Mapped[datetime]  # UTC
    time_zone: Mapped[str] = mapped_column(String(60))  # IANA name: "Europe/Paris"
    location: Mapped[str | None] = mapped_column(String(200))
    online_url: Mapped[str | None] = mapped_column(String(500))
    product_area_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_areas.id", ondelete="SET NULL")
    )
    capacity: Mapped[int | None]  # None: no limit
    going_count: Mapped[int] = mapped_column(default=0)  # kept by services.respond
    waitlist_count: Mapped[int] = mapped_column(default=0)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    author: Mapped[User | None] = relationship()
    product_area: Mapped[ProductArea | None] = relationship()

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.going_count >= self.capacity

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.going_count, 0)


class EventResponse(db.Model):
    """A member's answer to an event. "going" past the capacity waits in line (`waitlisted`),
    in the order of `queued_at`, and moves up when a place frees."""

    __tablename__ = "event_responses"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    response: Mapped[str] = mapped_column(String(10))  # going | maybe | not_going
    waitlisted: Mapped[bool] = mapped_column(default=False)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Reminders sent: 0 none, 1 the day before, 2 the hour before (see reminders.py).
    reminded: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EventQuestion(db.Model):
    """A question asked at an Ask-Me-Anything session: a normal question of the Q&A (found in
    search, answered and voted on as any other), listed on the event's page."""

    __tablename__ = "event_questions"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
