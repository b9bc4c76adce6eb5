"""Events as the subject of what other features attach to them (polls): every event is public."""

from portal.events.models import Event
from portal.extensions import db
from portal.notifications.subjects import Subject, register_subject


def _load(ids: list[int]) -> dict[int, Event]:
    return {row.id: row for row in db.session.scalars(db.select(Event).where(Event.id.in_(ids)))}


register_subject("event", Subject(_load, lambda _event, _viewer: True))
