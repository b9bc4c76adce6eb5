"""Mail is queued in the transaction, sent after the response, and retried when SMTP is down."""

import pytest

from portal.clock import utcnow
from portal.extensions import db
from portal.mail.models import OutboxMail
from portal.mail.services import deliver_pending, pending_count, queue_mail
from tests.mailbox import body_of, free_port


def test_queued_mail_is_sent_through_smtp(app, mailbox):
    with app.test_request_context():
        queue_mail("a@example.com", "Hello", "Body text")
    db.session.commit()
    assert deliver_pending() == (1, 0)
    message = mailbox.wait_for("a@example.com")
    assert message["Subject"] == "Hello" and body_of(message).strip() == "Body text"
    assert db.session.execute(db.select(OutboxMail.sent_at)).scalar_one() is not None


def test_rolled_back_mail_is_never_sent(app, mailbox):
    with app.test_request_context():
        queue_mail("b@example.com", "Hello", "Body")
    db.session.rollback()
    assert deliver_pending() == (0, 0)
    assert pending_count() == 0


@pytest.mark.parametrize("app_config", [{"MAIL_URL": f"smtp://127.0.0.1:{free_port()}"}])
def test_unreachable_smtp_keeps_the_mail_for_a_retry(app, mailbox):
    with app.test_request_context():
        queue_mail("c@example.com", "Hello", "Body")
    db.session.commit()
    assert deliver_pending() == (0, 1)
    mail = db.session.execute(db.select(OutboxMail)).scalar_one()
    assert mail.sent_at is None and mail.attempts == 1 and "Error" in mail.last_error
    assert mail.next_attempt_at > utcnow()
    assert pending_count() == 1


def test_mail_send_command_delivers_what_is_due(app, runner, mailbox):
    with app.test_request_context():
        queue_mail("d@example.com", "Hello", "Body")
    db.session.commit()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    mailbox.wait_for("d@example.com")
