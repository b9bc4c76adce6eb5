"""Writing events and members' answers to them. Answers to one event take turns, so the
count of places taken is exact however many answer at once, and an event never fills past its
capacity: past it, "going" waits in line and moves up, in order, when a place frees."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import select, update

from portal.accounts.permissions import Permission, can
from portal.activity import record_event
from portal.clock import utcnow
from portal.database import take_turns
from portal.events.models import (
    AMA,
    EVENT,
    GOING,
    RESPONSES,
    Event,
    EventQuestion,
    EventResponse,
)
from portal.extensions import db
from portal.markdown import render_markdown
from portal.notifications.services import notify
from portal.public_url import site_path
from portal.search.changes import record_search_change
from portal.support.models import Question
from portal.support.services import ask_question
from portal.taxonomy.models import ProductArea
from portal.writes import Refused

MAX_CAPACITY = 100_000


def zone_named(name: str) -> ZoneInfo:
    if name not in available_timezones():
        raise Refused("Choose a time zone from the list, such as Europe/Paris.", field="time_zone")
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError as error:  # listed but not loadable: still the person's input
        raise Refused("That time zone is not known here.", field="time_zone") from error


def to_utc(local: datetime, zone: ZoneInfo, field: str) -> datetime:
    """A wall-clock time in `zone` as naive UTC. A time the clocks skip (the hour lost when
    daylight saving starts) is refused; one they repeat takes its first occurrence."""
    aware = local.replace(tzinfo=zone, fold=0)
    moment = aware.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise Refused(
            f"{local:%H:%M} does not exist on {local:%d %B %Y} in {zone.key}: the clocks "
            "move forward then. Choose another time.",
            field=field,
        )
    return moment.replace(tzinfo=None)


def save_event(
    author,
    event: Event | None,
    *,
    kind: str,
    title: str,
    body: str,
    starts: datetime,
    ends: datetime,
    time_zone: str,
    location: str | None,
    online_url: str | None,
    area_id: int | None,
    capacity: int | None,
) -> Event:
    """Create an event (`event` None) or change one; times are wall-clock in `time_zone`."""
    if not can(author, Permission.MANAGE_EVENTS):
        raise Refused("Only the community team can plan events.")
    if kind not in (EVENT, AMA):
        raise Refused("Choose an event or an Ask-Me-Anything session.", field="kind")
    zone = zone_named(time_zone)
    starts_at, ends_at = to_utc(starts, zone, "starts"), to_utc(ends, zone, "ends")
    if ends_at <= starts_at:
        raise Refused("The end must come after the start.", field="ends")
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        raise Refused(
            f"Capacity is 1 to {MAX_CAPACITY:,}, or empty for no limit.", field="capacity"
        )
    if kind == AMA and area_id is None:  # its questions join the Q&A, in this area
        raise Refused("An Ask-Me-Anything session needs a product area.", field="area")
    if not (location or online_url):
        raise Refused("Say where it happens: a place, an online link, or both.", field="location")
    created = event is None
    if created:
        event = Event(author=author)
        db.session.add(event)
    else:
        take_turns(f"event-{event.id}")  # the capacity may free places for those waiting
        db.session.refresh(event)
    event.kind, event.title, event.body = kind, title, body
    event.body_html = render_markdown(body)
    if not created and starts_at != event.starts_at:  # a new time: remind everyone again
        db.session.execute(
            update(EventResponse).where(EventResponse.event_id == event.id).values(reminded=0)
        )
    event.starts_at, event.ends_at, event.time_zone = starts_at, ends_at, zone.key
    event.location, event.online_url = location or None, online_url or None
    event.product_area_id, event.capacity = area_id, capacity
    db.session.flush()
    if not created:
        _promote(event)
    record_search_change("event", event.id)
    record_event(
        "event.created" if created else "event.updated",
        actor=author,
        subject=event,
        product_area_id=area_id,
        title=event.title,
    )
    return event


def respond(user, event: Event, response: str) -> EventResponse:
    """`user` answers `event`: going (a place, or the waitlist when full), maybe or not going.
    Answering again changes the answer; going again keeps one's place or position in line."""
    if response not in RESPONSES:
        raise Refused("Answer going, maybe or not going.", field="response")
    if not can(user, Permission.POST):
        raise Refused("Your account cannot answer events now.")
    take_turns(f"event-{event.id}")
    db.session.refresh(event)
    if event.ends_at <= utcnow():
        raise Refused("This event is over.")
    mine = db.session.scalar(
        select(EventResponse).where(
            EventResponse.event_id == event.id, EventResponse.user_id == user.id
        )
    )
    if mine is None:
        mine = EventResponse(event_id=event.id, user_id=user.id, response=response)
        db.session.add(mine)
        held = waiting = False
    else:
        held = mine.response == GOING and not mine.waitlisted
        waiting = mine.waitlisted
    if response == GOING:
        if not (held or waiting):
            if event.is_full:
                mine.waitlisted, mine.queued_at = True, utcnow()
                event.waitlist_count += 1
            else:
                event.going_count += 1
    else:
        if held:
            event.going_count -= 1
        if waiting:
            event.waitlist_count -= 1
            mine.waitlisted = False
    mine.response = response
    db.session.flush()
    if held and response != GOING:
        _promote(event)
    record_event("event.responded", actor=user, subject=event, response=response)
    return mine


def _promote(event: Event) -> None:
    """Give freed places to those waiting, first in line first, and tell them."""
    while event.waitlist_count and not event.is_full:
        first = db.session.scalar(
            select(EventResponse)
            .where(EventResponse.event_id == event.id, EventResponse.waitlisted)
            .order_by(EventResponse.queued_at, EventResponse.id)
            .limit(1)
        )
        if first is None:
            break
        first.waitlisted = False
        event.waitlist_count -= 1
        event.going_count += 1
        notify(
            [first.user_id],
            kind="event.place_freed",
            title=f"A place freed up: you are going to {event.title}",
            url=site_path("events.event", event_id=event.id),
        )
    db.session.flush()


def ask_at_event(user, event: Event, *, title: str, body: str, screening) -> Question:
    """A question for an Ask-Me-Anything session, before or during it: a question of the Q&A
    in the session's product area (screened as any other), listed on the session's page."""
    if event.kind != AMA:
        raise Refused("Only Ask-Me-Anything sessions take questions.")
    if event.ends_at <= utcnow():
        raise Refused("This session is over: ask in the Q&A instead.")
    area = db.session.get(ProductArea, event.product_area_id)
    question, _ = ask_question(
        user, title=title, body=body, area=area, tags=[], screening=screening
    )
    db.session.add(EventQuestion(event_id=event.id, question_id=question.id))
    record_event("event.question_asked", actor=user, subject=event, question_id=question.id)
    return question
