"""Reminders to those going to an event: one the day before and one the hour before, as
notifications (by mail too, as each member chose for events). The mail worker runs this on
each round; each answer's `reminded` stage is claimed by one UPDATE, so two workers never
remind anyone twice, and someone who answers late gets only the reminder still due."""

from datetime import timedelta

from sqlalchemy import select, update

from portal.clock import utcnow
from portal.events.models import GOING, Event, EventResponse
from portal.extensions import db
from portal.notifications.services import notify
from portal.public_url import site_path

# (stage, how long before the start it becomes due, what the reminder says)
STAGES = ((1, timedelta(days=1), "Tomorrow"), (2, timedelta(hours=1), "In an hour"))
BATCH = 500


def send_due_reminders() -> int:
    """Remind whoever is due; how many were reminded."""
    now, reminded = utcnow(), 0
    for stage, before, when in reversed(STAGES):  # the hour before first: it supersedes
        due = db.session.execute(
            select(EventResponse.id, EventResponse.user_id, Event.id, Event.title)
            .join(Event, Event.id == EventResponse.event_id)
            .where(
                Event.starts_at > now,
                Event.starts_at <= now + before,
                EventResponse.response == GOING,
                EventResponse.waitlisted.is_(False),
                EventResponse.reminded < stage,
            )
            .limit(BATCH)
        ).all()
        for response_id, user_id, event_id, title in due:
            claimed = db.session.execute(
                update(EventResponse)
                .where(EventResponse.id == response_id, EventResponse.reminded < stage)
                .values(reminded=stage)
            ).rowcount
            if claimed:
                notify(
                    [user_id],
                    kind="event.reminder",
                    title=f"{when}: {title}",
                    url=site_path("events.event", event_id=event_id),
                )
                reminded += 1
        db.session.commit()
    return reminded
