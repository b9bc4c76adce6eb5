"""Outgoing webhooks: admins register endpoints (portal/admin's pages); every activity event
that an endpoint wants is queued in the same transaction and delivered by the mail worker
(services.py)."""

from portal.activity import listeners
from portal.webhooks.services import queue_for

listeners.append(queue_for)
