"""Search documents for ideas (merged ideas are left out: their visitors go to the target).

Rows are read as plain columns in one query per batch (a rebuild reads every idea).
"""

from portal.extensions import db
from portal.ideas.models import Idea, IdeaStatus
from portal.markdown import html_to_text
from portal.search.documents import (
    DocumentSource,
    documents_in_order,
    register_source,
    url_builder,
)
from portal.taxonomy.models import ProductArea


def idea_documents(ids: list[int]) -> dict[int, dict | None]:
    rows = db.session.execute(
        db.select(
            Idea.id,
            Idea.title,
            Idea.body_html,
            Idea.status,
            Idea.created_at,
            (Idea.vote_count + Idea.imported_votes).label("votes"),
            ProductArea.slug.label("area"),
        )
        .outerjoin(ProductArea, ProductArea.id == Idea.product_area_id)
        .where(Idea.id.in_(ids), Idea.status != IdeaStatus.MERGED, Idea.review_state.is_(None))
    )
    build = url_builder()

    def document(idea) -> dict:
        return {
            "title": idea.title,
            "body": html_to_text(idea.body_html),
            "area": idea.area,
            "status": str(idea.status),
            "solved": False,
            "created": idea.created_at,
            "votes": idea.votes,
            "url": build("ideas.idea", {"idea_id": idea.id}),
        }

    return documents_in_order(ids, rows, document)  # None: gone or merged


def all_idea_ids(batch: int):
    last = 0
    while True:
        ids = list(
            db.session.scalars(
                db.select(Idea.id)
                .where(
                    Idea.id > last, Idea.status != IdeaStatus.MERGED, Idea.review_state.is_(None)
                )
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


def ideas_titled_like(words: list[str], limit: int) -> list[int]:
    return list(
        db.session.scalars(
            db.select(Idea.id)
            .where(Idea.status != IdeaStatus.MERGED)
            .where(*(Idea.title.icontains(word, autoescape=True) for word in words))
            .order_by(Idea.id.desc())
            .limit(limit)
        )
    )


register_source(
    DocumentSource("idea", idea_documents, all_idea_ids, count_ideas, titles_like=ideas_titled_like)
)
