from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.changelog.models import ChangelogEntry
from portal.extensions import db

PER_PAGE = 20


def entries(limit: int = PER_PAGE) -> list[ChangelogEntry]:
    return list(
        db.session.scalars(
            select(ChangelogEntry)
            .options(selectinload(ChangelogEntry.ideas), selectinload(ChangelogEntry.author))
            .order_by(ChangelogEntry.published_at.desc(), ChangelogEntry.id.desc())
            .limit(limit)
        )
    )
