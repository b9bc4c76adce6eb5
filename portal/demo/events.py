"""Demo events: an Ask-Me-Anything with the product team next week, a meetup that is full
with people waiting, and last month's webinar."""

from datetime import timedelta

from portal.demo import DemoContext
from portal.events.models import AMA, EVENT, GOING, MAYBE
from portal.events.queries import in_zone
from portal.events.services import respond, save_event

EVENTS = [
    # (kind, title, body, days from now, hour in its zone, zone, place, link, area, capacity)
    (
        AMA,
        "Ask the product team anything: the 2027 roadmap",
        "Jordan and Mei from the product team answer your questions about what comes next: "
        "offline mode, reports and the API. Post your questions before the session and vote "
        "for the ones you want answered first.",
        7,
        17,
        "Europe/London",
        None,
        "https://meet.example.com/acme-ama",
        "reports",
        None,
    ),
    (
        EVENT,
        "Admin meetup in Berlin: single sign-on and roles",
        "An evening with other workspace admins: how teams set up SAML, SCIM and roles, with "
        "the support team on hand. Drinks after.",
        21,
        18,
        "Europe/Berlin",
        "Acme office, Torstraße 1, Berlin",
        None,
        "account-security",
        3,
    ),
    (
        EVENT,
        "Webinar: getting started with scheduled reports",
        "A walk through scheduled reports, exports and dashboards, with time for questions.",
        -30,
        10,
        "America/New_York",
        None,
        "https://meet.example.com/reports-webinar",
        "reports",
        None,
    ),
]


def load(ctx: DemoContext) -> None:
    staff, manager = ctx.users["staff"], ctx.users["manager"]
    for kind, title, body, days, hour, zone, place, link, area, capacity in EVENTS:
        day = in_zone(ctx.now + timedelta(days=days), zone).replace(tzinfo=None)
        starts = day.replace(hour=hour, minute=0, second=0)
        event = save_event(
            manager if kind == AMA else staff,
            None,
            kind=kind,
            title=title,
            body=body,
            starts=starts,
            ends=starts + timedelta(hours=1),
            time_zone=zone,
            location=place,
            online_url=link,
            area_id=ctx.areas[area].id,
            capacity=capacity,
        )
        if days > 0:
            for n, key in enumerate(("member", "m2", "m3", "m4", "m5")):
                respond(ctx.users[key], event, MAYBE if n == 4 and capacity is None else GOING)
        ctx.count("events")
