"""Ideas and their comments in the review queue (portal/moderation).

The board has no deletion of its own: a moderator's "delete" withholds the idea for good
(hidden), which keeps its votes for the insights already drawn from them."""

from flask import url_for

from portal.extensions import db
from portal.ideas import services
from portal.ideas.links import idea_path
from portal.ideas.models import Idea, IdeaComment
from portal.moderation.kinds import FlaggableKind, register
from portal.moderation.models import HIDDEN


def _idea_of(comment: IdeaComment) -> Idea:
    return db.session.get(Idea, comment.idea_id)


def _comments(ids: list[int]) -> list[IdeaComment]:
    """The comments, their ideas in the session's identity map (`_idea_of`)."""
    comments = list(db.session.scalars(db.select(IdeaComment).where(IdeaComment.id.in_(ids))))
    list(db.session.scalars(db.select(Idea).where(Idea.id.in_({c.idea_id for c in comments}))))
    return comments


def register_kinds() -> None:
    register(
        FlaggableKind(
            name="idea",
            label="idea",
            model=Idea,
            url=idea_path,
            title=lambda idea: idea.title,
            text=lambda idea: f"{idea.title}\n\n{idea.body}",
            set_review_state=services.set_review_state,
            delete=lambda idea, moderator: services.set_review_state(idea, HIDDEN),
            is_deleted=lambda idea: False,
            announce=services.announce_idea,
            edit_url=lambda idea: url_for("ideas.edit", idea_id=idea.id),
        )
    )
    register(
        FlaggableKind(
            name="idea_comment",
            label="comment",
            model=IdeaComment,
            url=lambda comment: f"{idea_path(_idea_of(comment))}#comment-{comment.id}",
            title=lambda comment: _idea_of(comment).title,
            text=lambda comment: comment.body,
            set_review_state=services.set_comment_review_state,
            delete=lambda comment, moderator: services.set_comment_review_state(comment, HIDDEN),
            is_deleted=lambda comment: False,
            announce=services.announce_comment,
            load_many=_comments,
        )
    )


register_kinds()
