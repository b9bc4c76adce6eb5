"""Outgoing webhooks: events queued in the transaction of the change that caused them (an
outbox), delivered by the worker with a signature, retried with backoff, and never sent to an
address the admin did not mean (private, loopback and link-local ones are refused before and
after the name is resolved). Services flush, never commit, except the worker's own claims."""

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import ssl
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_login import AnonymousUserMixin
from sqlalchemy import select, update

from portal.accounts.models import Role, User
from portal.activity.models import ActivityEvent
from portal.clock import utcnow
from portal.extensions import db
from portal.notifications.services import notify
from portal.notifications.subjects import SUBJECTS, still_visible
from portal.public_url import public_url
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint
from portal.writes import Refused

# The activity log's kinds, as the events a receiver subscribes to.
EVENTS = {
    "question.asked": "question.created",
    "answer.posted": "answer.created",
    "answer.accepted": "answer.accepted",
    "comment.posted": "comment.created",
    "idea.suggested": "idea.created",
    "idea.status_changed": "idea.status_changed",
    "idea.merged": "idea.merged",
    "user.registered": "member.joined",
}
MODERATION_PREFIX = "moderation."  # moderation.hidden, moderation.deleted...: by the same name
EVENT_NAMES = sorted({*EVENTS.values(), "moderation.*"})
FORMATS = {"json": "JSON, signed", "slack": "Slack-compatible (an incoming webhook URL)"}
BATCH = 50
MAX_RESPONSE_BYTES = 64 * 1024
DISABLE_AFTER = timedelta(days=1)
LEASE = timedelta(minutes=2)
# Where a page of the site shows each kind of subject (answers and comments: their question).
PAGES = {
    "question": ("support.question", "question_id"),
    "idea": ("ideas.idea", "idea_id"),
    "user": ("accounts.profile", "user_id"),
}


def event_name(kind: str) -> str | None:
    if kind.startswith(MODERATION_PREFIX):
        return kind
    return EVENTS.get(kind)


def _subscribed(endpoint_events: frozenset[str], name: str) -> bool:
    return name in endpoint_events or (
        name.startswith(MODERATION_PREFIX) and "moderation.*" in endpoint_events
    )


# Queueing ---------------------------------------------------------------------------------------


def queue_for(event: ActivityEvent) -> None:
    """An activity listener: a delivery for each live endpoint that wants this event."""
    name = event_name(event.kind)
    if name is None:
        return
    endpoints = db.session.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.events).where(
            WebhookEndpoint.disabled_at.is_(None)
        )
    ).all()
    wanted = [row.id for row in endpoints if _subscribed(frozenset(row.events.split()), name)]
    if not wanted:
        return
    payload = json.dumps({**(event.data or {}), "actor_id": event.actor_id}, default=str)
    now = utcnow()
    for endpoint_id in wanted:
        db.session.add(
            WebhookDelivery(
                uid=str(uuid.uuid4()),
                endpoint_id=endpoint_id,
                event=name,
                subject_type=event.subject_type,
                subject_id=event.subject_id,
                payload=payload,
                created_at=now,
                next_attempt_at=now,
            )
        )


# Endpoints --------------------------------------------------------------------------------------


def create_endpoint(url: str, events: list[str], fmt: str = "json") -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (shown to the admin once)."""
    url = url.strip()
    check_target(url, resolve=False)
    chosen = sorted(set(events) & set(EVENT_NAMES))
    if not chosen:
        raise Refused("Choose at least one event.", field="events")
    if fmt not in FORMATS:
        raise Refused("Choose a format.", field="format")
    secret = "whsec_" + secrets.token_urlsafe(24)
    endpoint = WebhookEndpoint(url=url, events=" ".join(chosen), format=fmt, secret=secret)
    db.session.add(endpoint)
    db.session.flush()
    return endpoint, secret


def enable(endpoint: WebhookEndpoint) -> None:
    endpoint.disabled_at = endpoint.disabled_reason = endpoint.failing_since = None


def disable(endpoint: WebhookEndpoint, reason: str) -> None:
    endpoint.disabled_at = utcnow()
    endpoint.disabled_reason = reason


def redeliver(delivery: WebhookDelivery) -> None:
    """Send it again, at once, as it is now (a withheld post stays withheld)."""
    delivery.done_at = delivery.outcome = None
    delivery.next_attempt_at = utcnow()
    delivery.attempts = 0


# Where a request may go -------------------------------------------------------------------------


def check_target(url: str, *, resolve: bool = True) -> list[str]:
    """The addresses `url`'s host resolves to, when each is one the portal may reach; Refused
    otherwise. Private, loopback, link-local and reserved addresses are refused unless
    PORTAL_WEBHOOKS_ALLOW_PRIVATE is set (tests and an intranet)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("Give an http:// or https:// address.", field="url")
    if parts.username or parts.password:
        raise Refused("Leave the password out of the address.", field="url")
    if len(url) > 500:
        raise Refused("Use an address of at most 500 characters.", field="url")
    allow_private = current_app.config["WEBHOOKS_ALLOW_PRIVATE"]
    literal = _literal_ip(parts.hostname)
    if literal is not None:
        if not allow_private and not literal.is_global:
            raise Refused(
                "That address is private or local; the portal does not call it.", field="url"
            )
        return [str(literal)]
    if not resolve:
        return []
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except OSError as error:
        raise Refused(
            f"The name {parts.hostname} does not resolve ({error}).", field="url"
        ) from None
    addresses = sorted({info[4][0] for info in found})
    if not allow_private and any(not ipaddress.ip_address(a).is_global for a in addresses):
        raise Refused(f"{parts.hostname} resolves to a private or local address.", field="url")
    return addresses


def _literal_ip(host: str):
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


# Delivering -------------------------------------------------------------------------------------


def sign(secret: str, uid: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, as Standard Webhooks signs."""
    signed = f"{uid}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def deliver_due(limit: int = BATCH) -> int:
    """Claim and send up to `limit` due deliveries; returns how many were tried."""
    now = utcnow()
    due = (
        select(WebhookDelivery.id)
        .where(WebhookDelivery.done_at.is_(None), WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = db.session.scalars(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(due.scalar_subquery()))
        .values(attempts=WebhookDelivery.attempts + 1, next_attempt_at=now + LEASE)
        .returning(WebhookDelivery.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    for delivery_id in sorted(claimed):
        delivery = db.session.get(WebhookDelivery, delivery_id)
        _attempt(delivery)
        db.session.commit()
    return len(claimed)


def _attempt(delivery: WebhookDelivery) -> None:
    endpoint = delivery.endpoint
    now = utcnow()
    if endpoint.disabled_at is not None:
        delivery.next_attempt_at = now + timedelta(hours=1)  # waits for the endpoint's return
        delivery.attempts -= 1
        return
    if not _visible(delivery):
        delivery.done_at, delivery.outcome = now, "withheld"
        delivery.error = "The post is no longer public: nothing was sent."
        return
    body = _body(delivery)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "CommunityPortal-Webhooks/1",
        "webhook-id": delivery.uid,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(endpoint.secret, delivery.uid, timestamp, body),
    }
    started = time.monotonic()
    try:
        status = _post(endpoint.url, body, headers)
        error = None if 200 <= status < 300 else f"The receiver answered {status}."
    except (Refused, OSError, http.client.HTTPException, ssl.SSLError) as failure:
        status, error = (
            None,
            getattr(failure, "message", None) or str(failure) or type(failure).__name__,
        )
    delivery.response_ms = round((time.monotonic() - started) * 1000)
    delivery.status_code, delivery.error = status, error
    if error is None:
        delivery.done_at, delivery.outcome = now, "delivered"
        endpoint.failing_since = None
        return
    endpoint.failing_since = endpoint.failing_since or now
    delivery.next_attempt_at = now + min(
        timedelta(seconds=30 * 2 ** (delivery.attempts - 1)), timedelta(hours=1)
    )
    if now - endpoint.failing_since >= DISABLE_AFTER:
        delivery.done_at, delivery.outcome = now, "failed"
        disable(endpoint, f"Every delivery failed for a day; the last: {error}")
        _tell_admins(endpoint)


def _visible(delivery: WebhookDelivery) -> bool:
    """Whether a visitor may see the delivery's subject now (receivers are outside)."""
    if delivery.subject_type not in SUBJECTS:
        return True  # a member joining, a moderation outcome: no post's content goes out
    return still_visible([(delivery.subject_type, delivery.subject_id, AnonymousUserMixin())])[0]


def _body(delivery: WebhookDelivery) -> bytes:
    data = json.loads(delivery.payload)
    actor = db.session.get(User, data.pop("actor_id", None) or 0)
    subject = {"type": delivery.subject_type, "id": delivery.subject_id}
    page = PAGES.get(delivery.subject_type or "")
    if page is None and "question_id" in data:
        page, subject_id = PAGES["question"], data["question_id"]
    else:
        subject_id = delivery.subject_id
    if page is not None and subject_id is not None:
        subject["url"] = public_url(page[0], **{page[1]: subject_id})
    if delivery.endpoint.format == "slack":
        return json.dumps({"text": _slack_text(delivery, data, subject, actor)}).encode()
    body = {
        "id": delivery.uid,
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(timespec="seconds") + "Z",
        "data": {
            "subject": subject,
            "actor": {"id": actor.id, "display_name": actor.display_name} if actor else None,
            **data,
        },
    }
    return json.dumps(body).encode()


def _slack_text(delivery, data: dict, subject: dict, actor) -> str:
    who = actor.display_name if actor else "Someone"
    title = data.get("title") or f"{subject['type']} {subject['id']}"
    link = f"<{subject['url']}|{title}>" if "url" in subject else title
    # The status's name as the admins call it; events before names were kept have the kind.
    status = data.get("to_status_name") or str(data.get("to_status", "")).replace("_", " ")
    words = {
        "question.created": f"{who} asked {link}",
        "answer.created": f"{who} answered {link}",
        "answer.accepted": f"An answer to {link} was accepted",
        "comment.created": f"{who} commented on {link}",
        "idea.created": f"{who} suggested {link}",
        "idea.status_changed": f"{link} is now {status}",
        "idea.merged": f"{link} was merged into another idea",
        "member.joined": f"{who} joined the community",
    }
    return words.get(delivery.event, f"{delivery.event}: {link}")


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address that was checked, not to whatever the name resolves to next."""

    def __init__(self, host, address, port, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, address, port, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _post(url: str, body: bytes, headers: dict) -> int:
    """POST once, to an address checked after resolving; no redirects, a time limit, and at
    most MAX_RESPONSE_BYTES of the answer read."""
    parts = urlsplit(url)
    address = check_target(url)[0]
    secure = parts.scheme == "https"
    kind = _PinnedHTTPS if secure else _PinnedHTTP
    port = parts.port or (443 if secure else 80)
    connection = kind(parts.hostname, address, port, current_app.config["WEBHOOK_TIMEOUT_SECONDS"])
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        return response.status
    finally:
        connection.close()


def _tell_admins(endpoint: WebhookEndpoint) -> None:
    admins = db.session.scalars(select(User.id).where(User.role == Role.ADMIN)).all()
    notify(
        admins,
        kind="webhook.disabled",
        title=f"A webhook was turned off after a day of failures: {endpoint.url[:200]}",
        url=f"/admin/webhooks/{endpoint.id}",
        note=endpoint.disabled_reason,
    )
