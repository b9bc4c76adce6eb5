"""Outgoing webhooks against a real HTTP receiver on loopback: queued with the change,
delivered signed by the worker, retried, turned off after a day of failures, never sent for
a post the public may not see, and never sent where the admin did not mean."""

import base64
import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal.accounts.models import Role
from portal.clock import utcnow
from portal.extensions import db
from portal.notifications.models import Notification
from portal.support.services import delete_post
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint
from portal.webhooks.services import create_endpoint, deliver_due
from portal.writes import Refused
from tests import factories
from tests.conftest import client_for

ALLOW_PRIVATE = {"WEBHOOKS_ALLOW_PRIVATE": True}


class Receiver:
    """An HTTP server on loopback that keeps what it is sent and answers `status`."""

    def __init__(self):
        self.received: list[dict] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.close()


def _endpoint(url, events=("question.created",), fmt="json"):
    endpoint, secret = create_endpoint(url, list(events), fmt)
    db.session.commit()
    return endpoint, secret


def _deliveries():
    db.session.expire_all()
    return db.session.scalars(db.select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


@pytest.mark.parametrize("app_config", [ALLOW_PRIVATE])
def test_a_new_question_is_posted_signed_to_the_receiver(app, receiver):
    _endpoint_row, secret = _endpoint(receiver.url)
    question = factories.make_question(title="Invoices show the wrong VAT number")
    assert len(_deliveries()) == 1  # queued with the question, before any worker ran
    assert deliver_due() == 1
    (got,) = receiver.received
    headers, body = got["headers"], got["body"]
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest())
    assert headers["webhook-signature"] == "v1," + expected.decode()
    payload = json.loads(body)
    assert payload["event"] == "question.created" and payload["id"] == headers["webhook-id"]
    data = payload["data"]
    assert data["subject"] == {
        "type": "question",
        "id": question.id,
        "url": f"http://localhost/questions/{question.id}",
    }
    assert data["title"] == "Invoices show the wrong VAT number"
    assert data["actor"]["id"] == question.author_id
    (delivery,) = _deliveries()
    assert (delivery.outcome, delivery.status_code) == ("delivered", 200)
    assert delivery.response_ms is not None
    assert deliver_due() == 0  # sent once


@pytest.mark.parametrize("app_config", [ALLOW_PRIVATE])
def test_nothing_is_queued_when_the_change_is_rolled_back_or_unwanted(app, receiver):
    _endpoint(receiver.url, events=("idea.created",))
    factories.make_question()  # not an event this endpoint wants
    assert _deliveries() == []
    author, area = factories.make_user(), factories.make_area()
    from portal.support.services import ask_question

    ask_question(
        author, title="A question that is rolled back", body="Body text.", area=area, tags=[]
    )
    db.session.rollback()
    assert _deliveries() == []


@pytest.mark.parametrize("app_config", [ALLOW_PRIVATE])
def test_held_and_since_deleted_posts_are_not_sent(app, receiver):
    _endpoint(receiver.url, events=("question.created", "answer.created"))
    newcomer = factories.make_user(trust_level=0)
    from portal.moderation.screening import Screening
    from portal.support.services import ask_question

    ask_question(
        newcomer,
        title="Held for review, never announced",
        body="Buy cheap watches at example dot com now.",
        area=factories.make_area(),
        tags=[],
        screening=Screening(newcomer.id, "held"),
    )
    db.session.commit()
    assert _deliveries() == []  # held posts announce nothing
    question = factories.make_question()
    delete_post(question, factories.make_user(Role.STAFF))
    db.session.commit()
    deliver_due()
    assert receiver.received == []
    (delivery,) = _deliveries()
    assert delivery.outcome == "withheld"


@pytest.mark.parametrize("app_config", [ALLOW_PRIVATE])
def test_failures_retry_with_backoff_then_turn_the_endpoint_off(app, receiver):
    admin = factories.make_user(Role.ADMIN)
    endpoint, _secret = _endpoint(receiver.url)
    receiver.status = 500
    factories.make_question()
    deliver_due()
    (delivery,) = _deliveries()
    assert (delivery.outcome, delivery.status_code, delivery.attempts) == (None, 500, 1)
    wait = delivery.next_attempt_at - utcnow()
    assert timedelta(seconds=20) < wait <= timedelta(seconds=30)
    assert deliver_due() == 0  # not due yet
    delivery.next_attempt_at = utcnow()
    db.session.commit()
    deliver_due()
    second = _deliveries()[0]
    assert second.attempts == 2 and second.next_attempt_at - utcnow() > timedelta(seconds=50)
    assert (
        len(receiver.received) == 2
        and len({r["headers"]["webhook-id"] for r in receiver.received}) == 1
    )

    endpoint = db.session.get(WebhookEndpoint, endpoint.id)
    endpoint.failing_since = utcnow() - timedelta(days=1, minutes=1)
    second.next_attempt_at = utcnow()
    db.session.commit()
    deliver_due()
    db.session.expire_all()
    endpoint = db.session.get(WebhookEndpoint, endpoint.id)
    assert endpoint.disabled_at is not None and "500" in endpoint.disabled_reason
    assert _deliveries()[0].outcome == "failed"
    told = db.session.scalars(db.select(Notification).where(Notification.user_id == admin.id)).all()
    assert [n.kind for n in told] == ["webhook.disabled"]

    receiver.status = 200
    factories.make_question()  # an endpoint that is off gets nothing queued
    assert len(_deliveries()) == 1


def test_private_and_loopback_addresses_are_refused(app):
    for url in (
        "http://127.0.0.1:9/hooks",
        "http://localhost/hooks",
        "http://10.1.2.3/x",
        "http://[::1]/x",
        "http://169.254.169.254/latest/meta-data",
        "ftp://example.com/x",
        "http://user:pw@example.com/x",
    ):
        with pytest.raises(Refused):
            from portal.webhooks.services import check_target

            check_target(url)
    with pytest.raises(Refused):
        create_endpoint("http://192.168.0.10/hooks", ["question.created"])


@pytest.mark.parametrize("app_config", [ALLOW_PRIVATE])
def test_slack_format_posts_a_readable_line(app, receiver):
    _endpoint(receiver.url, events=("idea.created",), fmt="slack")
    idea = factories.make_idea(title="Export invoices as CSV")
    deliver_due()
    (got,) = receiver.received
    text = json.loads(got["body"])["text"]
    assert "suggested" in text and f"/ideas/{idea.id}|Export invoices as CSV>" in text


@pytest.mark.parametrize("app_config", [ALLOW_PRIVATE])
def test_admins_add_a_webhook_see_its_log_and_redeliver(app, receiver):
    admin = factories.make_user(Role.ADMIN)
    client = client_for(app, admin)
    made = client.post(
        "/admin/webhooks",
        data={"url": receiver.url, "events": ["question.created"], "format": "json"},
    )
    assert made.status_code == 302
    page = client.get(made.location).get_data(as_text=True)
    assert "Copy the signing secret now" in page and "whsec_" in page
    assert "whsec_" not in client.get(made.location).get_data(as_text=True)  # shown once
    factories.make_question()
    deliver_due()
    endpoint = db.session.scalars(db.select(WebhookEndpoint)).one()
    log = client.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "question.created" in log and "delivered" in log and "200" in log
    delivery = _deliveries()[0]
    client.post(f"/admin/webhooks/{endpoint.id}/deliveries/{delivery.id}/redeliver")
    deliver_due()
    assert len(receiver.received) == 2
    member = client_for(app, factories.make_user())
    assert member.get("/admin/webhooks").status_code == 403
    assert member.post(f"/admin/webhooks/{endpoint.id}/delete").status_code == 403
