"""Webhooks' reads for the admin pages."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint

LOG_LENGTH = 50


def webhook_endpoints() -> list[tuple[WebhookEndpoint, int, int]]:
    """Each endpoint with its deliveries waiting and failed in the log."""
    waiting = func.count(WebhookDelivery.id).filter(WebhookDelivery.done_at.is_(None))
    failed = func.count(WebhookDelivery.id).filter(WebhookDelivery.outcome == "failed")
    rows = db.session.execute(
        select(WebhookEndpoint, waiting, failed)
        .outerjoin(WebhookDelivery, WebhookDelivery.endpoint_id == WebhookEndpoint.id)
        .group_by(WebhookEndpoint.id)
        .order_by(WebhookEndpoint.id)
    )
    return [tuple(row) for row in rows]


def recent_deliveries(endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    return list(
        db.session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(LOG_LENGTH)
        )
    )
