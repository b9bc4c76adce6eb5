from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.clock import utcnow
from portal.events.models import Event, EventQuestion, EventResponse
from portal.extensions import db
from portal.support.models import Question, Vote
from portal.support.queries import seen_by

PER_LIST = 50


def upcoming(area_id: int | None = None, limit: int = PER_LIST) -> list[Event]:
    """Events not yet over, soonest first."""
    query = select(Event).where(Event.ends_at > utcnow())
    if area_id is not None:
        query = query.where(Event.product_area_id == area_id)
    return list(db.session.scalars(query.order_by(Event.starts_at, Event.id).limit(limit)))


def past(area_id: int | None = None, limit: int = PER_LIST) -> list[Event]:
    """Events that are over, latest first."""
    query = select(Event).where(Event.ends_at <= utcnow())
    if area_id is not None:
        query = query.where(Event.product_area_id == area_id)
    return list(
        db.session.scalars(query.order_by(Event.starts_at.desc(), Event.id.desc()).limit(limit))
    )


def response_of(user, event: Event) -> EventResponse | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(EventResponse).where(
            EventResponse.event_id == event.id, EventResponse.user_id == user.id
        )
    )


def waitlist_position(event: Event, response: EventResponse) -> int:
    """1 for the first in line."""
    ahead = db.session.scalar(
        select(db.func.count(EventResponse.id)).where(
            EventResponse.event_id == event.id,
            EventResponse.waitlisted,
            (EventResponse.queued_at < response.queued_at)
            | ((EventResponse.queued_at == response.queued_at) & (EventResponse.id < response.id)),
        )
    )
    return ahead + 1


def in_zone(moment: datetime, zone: str) -> datetime:
    """A naive UTC moment as the wall-clock time in `zone`."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))


def questions_at(event: Event, viewer, *, moderator: bool) -> list[Question]:
    """An AMA's questions that `viewer` may see (live ones, and their own waiting or hidden;
    moderators all), most voted first."""
    query = (
        select(Question)
        .join(EventQuestion, EventQuestion.question_id == Question.id)
        .where(
            EventQuestion.event_id == event.id,
            Question.deleted_at.is_(None),
            seen_by(Question, viewer, moderator),
        )
    )
    order = (Question.score.desc(), Question.created_at, Question.id)
    return list(db.session.scalars(query.order_by(*order)))


def upvoted_by(viewer, questions: list[Question]) -> set[int]:
    """Which of these questions the viewer voted up (the session's page shows it)."""
    if not getattr(viewer, "is_authenticated", False) or not questions:
        return set()
    return set(
        db.session.scalars(
            select(Vote.question_id).where(
                Vote.user_id == viewer.id,
                Vote.value == 1,
                Vote.question_id.in_([question.id for question in questions]),
            )
        )
    )


def asked_at(event: Event, question_id: int) -> Question | None:
    """The question, if it was asked at this session."""
    return db.session.scalar(
        select(Question)
        .join(EventQuestion, EventQuestion.question_id == Question.id)
        .where(EventQuestion.event_id == event.id, Question.id == question_id)
    )
