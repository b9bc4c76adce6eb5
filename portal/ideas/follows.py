"""Ideas in what members may follow (portal/follows): following an idea is the idea's own
Follow button; here a member may mute one, to hear nothing of it even as its author or a voter."""

from flask import url_for

from portal.extensions import db
from portal.follows.models import MUTED, NORMAL
from portal.follows.targets import Target, register_target
from portal.ideas.models import Idea
from portal.ideas.queries import may_see


def _idea(idea_id: int, viewer):
    idea = db.session.get(Idea, idea_id)
    if idea is None or not may_see(idea, viewer):
        return None
    return (f"“{idea.title}”", url_for("ideas.idea", idea_id=idea.id))


register_target(
    "idea",
    Target(
        "idea",
        _idea,
        {
            NORMAL: "Status changes and comments, as a voter, follower or its author",
            MUTED: "Nothing about it, even as a voter, a follower or its author",
        },
    ),
)
