"""Events: the team hosts online or in-person sessions (and Ask-Me-Anything sessions); members
answer going, maybe or not going, join a waitlist when an event is full, and add events to
their calendars (.ics, and a feed of what is coming)."""

from flask import Blueprint

bp = Blueprint("events", __name__)

from portal.accounts.profiles import PUBLIC_EVENT_KINDS, SUBJECT_ENDPOINTS  # noqa: E402
from portal.events import home, insights, search, subjects, views  # noqa: E402, F401  (home panel, insights figures, search documents, poll subject, routes)
from portal.events.reminders import send_due_reminders  # noqa: E402
from portal.mail.jobs import register_job  # noqa: E402

register_job(send_due_reminders)
PUBLIC_EVENT_KINDS["event.created"] = "Planned an event"
SUBJECT_ENDPOINTS["event"] = "events.event"
