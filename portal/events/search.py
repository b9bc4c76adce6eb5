"""Search documents for events (every event is public): its title and description, found on
the search page under "Events"."""

from portal.events.models import AMA, Event
from portal.extensions import db
from portal.markdown import html_to_text
from portal.search.documents import (
    DocumentSource,
    documents_in_order,
    id_batches,
    newest_titled,
    register_source,
    url_builder,
)
from portal.taxonomy.models import ProductArea


def event_documents(ids: list[int]) -> dict[int, dict | None]:
    rows = db.session.execute(
        db.select(
            Event.id,
            Event.kind,
            Event.title,
            Event.body_html,
            Event.starts_at,
            Event.going_count,
            ProductArea.slug.label("area"),
        )
        .outerjoin(ProductArea, ProductArea.id == Event.product_area_id)
        .where(Event.id.in_(ids))
    )
    build = url_builder()

    def document(event) -> dict:
        kind = "Ask Me Anything" if event.kind == AMA else "Event"
        return {
            "title": event.title,
            "body": f"{kind}. {html_to_text(event.body_html)}",
            "area": event.area,
            "solved": False,
            "created": event.starts_at,  # "newest" lists the latest events first
            "votes": event.going_count,
            "url": build("events.event", {"event_id": event.id}),
        }

    return documents_in_order(ids, rows, document)


def count_events() -> int:
    return db.session.execute(db.select(db.func.count(Event.id))).scalar_one()


register_source(
    DocumentSource(
        "event",
        event_documents,
        lambda batch: id_batches(Event.id, batch),
        count_events,
        titles_like=lambda words, limit: newest_titled(Event.id, Event.title, words, limit),
    ),
    listed="Events",
)
