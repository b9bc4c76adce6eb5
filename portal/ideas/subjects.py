"""Ideas and their comments as the subjects of notifications (portal/notifications/subjects.py):
a member is mailed about an idea only while they may see it."""

from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.ideas.models import Idea, IdeaComment
from portal.ideas.queries import may_see
from portal.notifications.subjects import Subject, register_subject


def _ideas(ids: list[int]) -> dict[int, Idea]:
    return {idea.id: idea for idea in db.session.scalars(db.select(Idea).where(Idea.id.in_(ids)))}


def _comments(ids: list[int]) -> dict[int, IdeaComment]:
    rows = db.session.scalars(
        db.select(IdeaComment).options(joinedload(IdeaComment.idea)).where(IdeaComment.id.in_(ids))
    )
    return {comment.id: comment for comment in rows}


def _comment_seen(comment: IdeaComment, user) -> bool:
    # A withheld comment has the same readers as a withheld idea: its author and moderators.
    return may_see(comment.idea, user) and may_see(comment, user)


register_subject("idea", Subject(_ideas, may_see))
register_subject("idea_comment", Subject(_comments, _comment_seen))
