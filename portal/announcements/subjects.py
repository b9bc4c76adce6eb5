"""Announcements as the subject of notifications (portal/notifications/subjects.py)."""

from portal.announcements.models import Announcement
from portal.announcements.queries import may_see
from portal.extensions import db
from portal.notifications.subjects import Subject, register_subject


def _load(ids: list[int]) -> dict[int, Announcement]:
    rows = db.session.scalars(db.select(Announcement).where(Announcement.id.in_(ids)))
    return {row.id: row for row in rows}


register_subject("announcement", Subject(_load, may_see))
