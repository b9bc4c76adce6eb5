"""Insights: attendance at the events of the period (every event is public)."""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.events.models import AMA, GOING, MAYBE, Event, EventQuestion, EventResponse
from portal.extensions import db
from portal.insights.filters import InsightsFilters
from portal.insights.panels import Link, Panel, register_panel
from portal.support.models import Question


def attendance_panel(filters: InsightsFilters) -> Panel:
    query = select(Event).where(Event.starts_at >= filters.start, Event.starts_at < filters.end)
    if filters.area is not None:
        query = query.where(Event.product_area_id == filters.area.id)
    query = query.options(selectinload(Event.product_area)).order_by(Event.starts_at.desc())
    events = list(db.session.scalars(query.limit(200)))
    ids = [event.id for event in events]
    answers: dict[tuple[int, str, bool], int] = {}
    asked: dict[int, int] = {}
    if ids:
        counted = (
            select(
                EventResponse.event_id,
                EventResponse.response,
                EventResponse.waitlisted,
                func.count(),
            )
            .join(User, User.id == EventResponse.user_id)
            .where(EventResponse.event_id.in_(ids))
            .group_by(EventResponse.event_id, EventResponse.response, EventResponse.waitlisted)
        )
        if filters.plan is not None:
            counted = counted.where(User.plan_id == filters.plan.id)
        answers = {(e, r, w): n for e, r, w, n in db.session.execute(counted)}
        asked = dict(
            db.session.execute(
                select(EventQuestion.event_id, func.count())
                .join(Question, Question.id == EventQuestion.question_id)
                .where(EventQuestion.event_id.in_(ids), Question.live())
                .group_by(EventQuestion.event_id)
            ).all()
        )
    rows = [
        [
            Link(event.title, "events.event", {"event_id": event.id}),
            "AMA" if event.kind == AMA else "Event",
            event.starts_at.date().isoformat(),
            event.product_area.name if event.product_area else "—",
            answers.get((event.id, GOING, False), 0),
            answers.get((event.id, GOING, True), 0),
            answers.get((event.id, MAYBE, False), 0),
            event.capacity or "no limit",
            asked.get(event.id, 0) if event.kind == AMA else "—",
        ]
        for event in events
    ]
    return Panel(
        key="event-attendance",
        title="Events and their attendance",
        description="Events that started in the period: who said they would come, who waits "
        "for a place, and the questions asked at Ask-Me-Anything sessions.",
        columns=[
            "Event",
            "Kind",
            "Date",
            "Product area",
            "Going",
            "Waitlist",
            "Maybe",
            "Capacity",
            "Questions",
        ],
        rows=rows,
        shown=20,
        empty="No event in this period.",
        notes=["The plan filter counts the answers of members on that plan."],
    )


register_panel("event-attendance", attendance_panel, "community")
