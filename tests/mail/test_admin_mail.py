"""/admin/mail: the queue's figures, the delivery log, a test mail that reports the SMTP
conversation, the settings without the password; and addresses refused for good."""

import pytest

from portal.extensions import db
from portal.mail.models import OutboxMail
from portal.mail.services import queue_mail
from portal.notifications.services import notify
from tests import factories
from tests.conftest import client_for


def test_the_page_shows_figures_and_a_searchable_log(app, worker_pass):
    admin = factories.make_user("admin")
    queue_mail("ada@example.com", "Hello Ada", "Hi")
    queue_mail("ben@refused.example", "Hello Ben", "Hi")
    db.session.commit()
    worker_pass()
    queue_mail("cy@example.com", "Hello Cy", "Hi")
    db.session.commit()
    page = client_for(app, admin).get("/admin/mail").get_data(as_text=True)
    assert "Hello Ada" in page and "Hello Ben" in page and "Hello Cy" in page
    assert "given up" in page and "550" in page  # the refusal, in the log
    found = client_for(app, admin).get("/admin/mail?q=ADA@").get_data(as_text=True)
    assert "Hello Ada" in found and "Hello Ben" not in found
    odd = client_for(app, admin).get("/admin/mail?q=%25_%00").status_code
    assert odd in (200, 400)


def test_settings_hide_the_password(app_config_with_password):
    app = app_config_with_password
    page = client_for(app, factories.make_user("admin")).get("/admin/mail").get_data(as_text=True)
    assert "s3cret-pass" not in page and "mailer:•••@" in page


@pytest.fixture
def app_config_with_password(app):
    app.config["MAIL_URL"] = "smtp://mailer:s3cret-pass@127.0.0.1:2525"
    return app


def test_a_test_mail_reports_the_servers_answer(app, mailbox):
    client = client_for(app, factories.make_user("admin"))
    sent = client.post("/admin/mail", data={"address": "ops@example.com"}).get_data(as_text=True)
    assert "Accepted by 127.0.0.1" in sent
    assert mailbox.wait_for("ops@example.com")["Subject"] == "A test mail from the community"
    refused = client.post("/admin/mail", data={"address": "x@refused.example"})
    assert "The server refused x@refused.example: 550" in refused.get_data(as_text=True)
    bad = client.post("/admin/mail", data={"address": "not an address"})
    assert "Enter an email address" in bad.get_data(as_text=True)


def test_members_and_staff_may_not_see_it(app):
    for role in ("member", "staff", "manager"):
        assert client_for(app, factories.make_user(role)).get("/admin/mail").status_code == 403


def test_an_address_refused_for_good_gets_no_more_notification_mail(app, mailbox, worker_pass):
    member = factories.make_user(email="gone@refused.example")
    notify([member.id], kind="answer.posted", title="First", url="/")
    db.session.commit()
    worker_pass()
    db.session.refresh(member)
    assert member.email_undeliverable_at is not None
    notify([member.id], kind="answer.posted", title="Second", url="/")
    db.session.commit()
    worker_pass()
    subjects = [m.subject for m in db.session.scalars(db.select(OutboxMail))]
    assert subjects == ["First · Community"]  # the second was not even queued


def test_the_member_sees_why_and_turns_mail_back_on(app, worker_pass, mailbox):
    member = factories.make_user(email="back@refused.example")
    notify([member.id], kind="answer.posted", title="First", url="/")
    db.session.commit()
    worker_pass()
    client = client_for(app, member)
    page = client.get("/settings/notifications").get_data(as_text=True)
    assert "was refused by its mail server" in page
    client.post("/settings/notifications/address")
    db.session.refresh(member)
    assert member.email_undeliverable_at is None
