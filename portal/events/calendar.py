"""Events as iCalendar (RFC 5545), by the icalendar package: each start and end in the event's
own zone, with that zone's rules included, so calendars place it right on either side of a
daylight-saving change. Links come from the configured public address."""

from datetime import UTC
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from portal.events.queries import in_zone
from portal.markdown import excerpt
from portal.public_url import public_url


def calendar_of(events, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Community Portal//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    for event in events:
        url = public_url("events.event", event_id=event.id)
        entry = CalendarEvent()
        entry.add("uid", f"event-{event.id}@{host}")
        entry.add("dtstamp", event.updated_at.replace(tzinfo=UTC))
        entry.add("dtstart", in_zone(event.starts_at, event.time_zone))
        entry.add("dtend", in_zone(event.ends_at, event.time_zone))
        entry.add("summary", event.title)
        entry.add("description", f"{excerpt(event.body_html, 500)}\n\n{url}".strip())
        entry.add("url", url)
        where = ", ".join(part for part in (event.location, event.online_url) if part)
        if where:
            entry.add("location", where)
        calendar.add_component(entry)
    calendar.add_missing_timezones()
    return calendar.to_ical()
