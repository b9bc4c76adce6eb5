"""What a public profile shows about a person's recent activity.

Features add their public event kinds to PUBLIC_EVENT_KINDS (kind -> sentence) and their subject
pages to SUBJECT_ENDPOINTS (subject type -> endpoint taking `<type>_id`, or (endpoint, the name
of its id)); events carry the subject's title in `data["title"]`, so the profile needs no extra
query per row.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import url_for

from portal.activity.models import ActivityEvent
from portal.extensions import db
from portal.moderation.kinds import KINDS

PUBLIC_EVENT_KINDS: dict[str, str] = {
    "user.registered": "Joined the community",
    "question.asked": "Asked",
    "answer.posted": "Answered",
    "answer.accepted": "Accepted an answer to",
    "comment.posted": "Commented on",
    "idea.suggested": "Suggested an idea",
    "idea.voted": "Voted for an idea",
    "idea.commented": "Commented on an idea",
    "idea.status_changed": "Updated the status of an idea",
    "idea.merged": "Merged a duplicate idea",
}
SUBJECT_ENDPOINTS: dict[str, str | tuple[str, str]] = {
    "question": "support.question",
    "answer": "support.answer_link",
    "idea": "ideas.idea",
}


@dataclass
class ActivityItem:
    sentence: str
    title: str | None
    url: str | None
    at: datetime


def _item(event: ActivityEvent) -> ActivityItem:
    endpoint = SUBJECT_ENDPOINTS.get(event.subject_type or "")
    url = None
    if endpoint and event.subject_id is not None:
        endpoint, name = endpoint if isinstance(endpoint, tuple) else (endpoint, None)
        url = url_for(endpoint, **{name or f"{event.subject_type}_id": event.subject_id})
    title = (event.data or {}).get("title")
    return ActivityItem(PUBLIC_EVENT_KINDS[event.kind], title, url, event.created_at)


def recent_activity(user, limit: int = 15, *, sees_withheld: bool = False) -> list[ActivityItem]:
    """The person's latest public events; those about a post hidden, pending or deleted since
    are left out unless the viewer may see such posts (its author, the moderators)."""
    events = list(
        db.session.scalars(
            db.select(ActivityEvent)
            .where(ActivityEvent.actor_id == user.id, ActivityEvent.kind.in_(PUBLIC_EVENT_KINDS))
            .order_by(ActivityEvent.created_at.desc(), ActivityEvent.id.desc())
            .limit(limit * 2)
        )
    )
    if not sees_withheld:
        gone = _not_public(events)
        events = [e for e in events if (e.subject_type, e.subject_id) not in gone]
    return [_item(event) for event in events[:limit]]


def _not_public(events: list[ActivityEvent]) -> set[tuple[str, int]]:
    """The events' subjects that everyone may no longer see."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.subject_type in KINDS and event.subject_id is not None:
            wanted.setdefault(event.subject_type, set()).add(event.subject_id)
    gone = set()
    for name, ids in wanted.items():
        kind = KINDS[name]
        found = kind.posts(sorted(ids))
        for post_id in ids:
            post = found.get(post_id)
            if post is None or post.review_state is not None or kind.is_deleted(post):
                gone.add((name, post_id))
    return gone
