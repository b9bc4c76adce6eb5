"""Small readers used by the idea tests: recount votes, list followers, read notifications."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.ideas.models import Idea, IdeaFollower, IdeaVote
from portal.notifications.models import Notification


def fresh(idea_id: int) -> Idea:
    db.session.expire_all()
    return db.session.get(Idea, idea_id)


def recount(idea_id: int) -> int:
    return db.session.execute(
        select(func.count()).select_from(IdeaVote).where(IdeaVote.idea_id == idea_id)
    ).scalar_one()


def voter_ids(idea_id: int) -> set[int]:
    return set(db.session.scalars(select(IdeaVote.user_id).where(IdeaVote.idea_id == idea_id)))


def follower_ids(idea_id: int) -> set[int]:
    return set(
        db.session.scalars(select(IdeaFollower.user_id).where(IdeaFollower.idea_id == idea_id))
    )


def notifications(kind: str | None = None) -> list[Notification]:
    query = select(Notification).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))
