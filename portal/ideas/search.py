"""Search documents for ideas (merged ideas are left out: their visitors go to the target)."""

from portal.extensions import db
from portal.ideas.models import Idea, IdeaStatus
from portal.markdown import html_to_text
from portal.search.documents import DocumentSource, path_for, register_source


def idea_documents(ids: list[int]) -> dict[int, dict | None]:
    ideas = {idea.id: idea for idea in db.session.scalars(db.select(Idea).where(Idea.id.in_(ids)))}
    documents: dict[int, dict | None] = {}
    for idea_id in ids:
        idea = ideas.get(idea_id)
        if idea is None or idea.status == IdeaStatus.MERGED:
            documents[idea_id] = None
            continue
        documents[idea_id] = {
            "title": idea.title,
            "body": html_to_text(idea.body_html),
            "area": idea.product_area.slug if idea.product_area else None,
            "status": str(idea.status),
            "solved": False,
            "created": idea.created_at,
            "votes": idea.votes,
            "url": path_for("ideas.idea", idea_id=idea.id),
        }
    return documents


def all_idea_ids(batch: int):
    last = 0
    while True:
        ids = list(
            db.session.scalars(
                db.select(Idea.id)
                .where(Idea.id > last, Idea.status != IdeaStatus.MERGED)
                .order_by(Idea.id)
                .limit(batch)
            )
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def count_ideas() -> int:
    return db.session.execute(
        db.select(db.func.count(Idea.id)).where(Idea.status != IdeaStatus.MERGED)
    ).scalar_one()


register_source(DocumentSource("idea", idea_documents, all_idea_ids, count_ideas))
