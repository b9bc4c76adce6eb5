"""The ideas' sections of the digest (portal/mail/digests.py): the period's most voted new
ideas, and the ideas that changed status."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.ideas.links import idea_path
from portal.ideas.models import Idea, IdeaStatusChange
from portal.ideas.statuses import look
from portal.mail.digests import DigestItem, DigestSection, digest_section

GATHERED = 50


def _item(idea: Idea, detail: str) -> DigestItem:
    return DigestItem(
        title=idea.title,
        path=idea_path(idea),
        detail=detail,
        area_id=idea.product_area_id,
        author_id=idea.author_id,
    )


def _votes(idea: Idea) -> str:
    return f"{idea.vote_count} {'vote' if idea.vote_count == 1 else 'votes'}"


def _shown():
    return (Idea.review_state.is_(None), Idea.merged_into_id.is_(None))


def _top_ideas(start, end) -> list[DigestItem]:
    ideas = db.session.scalars(
        select(Idea)
        .where(*_shown(), Idea.created_at >= start, Idea.created_at < end)
        .order_by(Idea.vote_count.desc(), Idea.id.desc())
        .limit(GATHERED)
    )
    return [_item(idea, _votes(idea)) for idea in ideas]


def _status_changes(start, end) -> list[DigestItem]:
    changed = (
        select(IdeaStatusChange.idea_id, func.max(IdeaStatusChange.id).label("last"))
        .where(
            IdeaStatusChange.from_status.is_not(None),  # not the suggestion itself
            IdeaStatusChange.created_at >= start,
            IdeaStatusChange.created_at < end,
        )
        .group_by(IdeaStatusChange.idea_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Idea, IdeaStatusChange.to_status, IdeaStatusChange.to_option_id)
        .join(changed, changed.c.idea_id == Idea.id)
        .join(IdeaStatusChange, IdeaStatusChange.id == changed.c.last)
        .where(*_shown())
        .order_by(Idea.vote_count.desc(), Idea.id.desc())
        .limit(GATHERED)
    )
    return [_item(idea, f"now {look(status, option).name}") for idea, status, option in rows]


digest_section(DigestSection("ideas", "Top new ideas", _top_ideas))
digest_section(DigestSection("statuses", "Ideas that changed status", _status_changes, limit=5))
