"""Notification mail through a real SMTP server on loopback: what a member's preferences let
through, what each mail carries, and one-click unsubscribe (RFC 8058)."""

import re
from email.header import decode_header, make_header
from email.message import Message

import pytest

from portal.extensions import db
from portal.ideas import services as ideas_services
from portal.mail.models import OutboxMail
from portal.notifications.models import Notification
from portal.notifications.preferences import BY_NAME, Delivery, preferences_of
from portal.support import services as support_services
from portal.support.models import Answer, Question
from tests import factories
from tests.conftest import client_for

QUESTION = "Rear derailleur skips under load"
# The preferences form with every topic by mail at once (the summary is a digest or off).
EVERY_TOPIC_BY_MAIL = dict.fromkeys(BY_NAME, "mail") | {"summary": "weekly"}


def _answered(app, asker, title=QUESTION):
    """Someone answers `asker`'s question through the site, as a request would."""
    question = factories.make_question(asker, title=title)
    helper = factories.make_user(display_name="Helpful Hana")
    response = client_for(app, helper).post(
        f"/questions/{question.id}/answers",
        data={"body": "Check the cable tension: a quarter turn of the barrel adjuster."},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return question


def _parts(message: Message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.walk()
        if not part.is_multipart()
    }


def test_an_answer_reaches_the_asker_by_mail_with_both_parts_and_headers(app, mailbox, worker_pass):
    asker = factories.make_user(display_name="Asker Ada")
    question = _answered(app, asker)
    worker_pass()
    message = mailbox.wait_for(asker.email)
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == f"Helpful Hana answered your question “{QUESTION}” · Community"
    parts = _parts(message)
    assert set(parts) == {"text/plain", "text/html"}
    link = f"http://localhost/questions/{question.id}"
    assert link in parts["text/plain"] and f'href="{link}' in parts["text/html"]
    assert "Helpful Hana answered your question" in parts["text/html"]
    unsubscribe = re.fullmatch(
        r"<(http://localhost/mail/unsubscribe/[\w.-]+)>", message["List-Unsubscribe"]
    )
    assert unsubscribe and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.group(1) in parts["text/plain"]
    assert "http://localhost/settings/notifications" in parts["text/plain"]
    assert message["References"] == message["In-Reply-To"] == f"<questions.{question.id}@localhost>"
    assert message["Message-ID"].endswith("@localhost>")
    assert message["Auto-Submitted"] == "auto-generated"


def test_mail_about_one_question_threads_together(app, mailbox, worker_pass):
    asker = factories.make_user()
    question = _answered(app, asker)
    second = factories.make_user()
    client_for(app, second).post(
        f"/questions/{question.id}/answers",
        data={"body": "Or the hanger is bent: have it checked."},
    )
    worker_pass()
    mails = mailbox.to(asker.email)
    assert len(mails) == 2
    assert mails[0]["References"] == mails[1]["References"]
    assert mails[0]["Message-ID"] != mails[1]["Message-ID"]


def test_each_notification_is_mailed_once_however_often_the_worker_runs(app, mailbox, worker_pass):
    asker = factories.make_user()
    _answered(app, asker)
    worker_pass()
    worker_pass()
    assert len(mailbox.to(asker.email)) == 1
    states = db.session.scalars(db.select(Notification.mail_state)).all()
    assert states == ["mailed"]


@pytest.mark.parametrize(
    "member",
    [
        {"email_confirmed_at": None},  # an address nobody confirmed
        {"mail_paused": True},  # "pause all mail"
    ],
)
def test_no_mail_to_an_unconfirmed_or_paused_member(app, mailbox, worker_pass, member):
    asker = factories.make_user(**member)
    _answered(app, asker)
    worker_pass()
    assert mailbox.to(asker.email) == []
    notification = db.session.scalars(db.select(Notification)).one()
    assert notification.mail_state == "not mailed" and notification.read_at is None  # in the app


def test_preferences_page_saves_a_choice_per_topic(app, mailbox, worker_pass):
    asker = factories.make_user()
    client = client_for(app, asker)
    page = client.get("/settings/notifications").get_data(as_text=True)
    assert "Answers to my questions" in page and "Pause all mail" in page
    choices = EVERY_TOPIC_BY_MAIL | {"answers": "app"}
    saved = client.post("/settings/notifications", data=choices, follow_redirects=True)
    assert "Your notification settings are saved." in saved.get_data(as_text=True)
    assert preferences_of(asker)["answers"] is Delivery.APP
    _answered(app, asker)
    worker_pass()
    assert mailbox.to(asker.email) == []
    assert db.session.scalars(db.select(Notification)).one().user_id == asker.id


@pytest.mark.parametrize(
    "change, error",
    [
        ({"moderation": "off"}, "Not a valid choice"),
        ({"answers": "sometimes"}, "Not a valid choice"),
        ({"answers": "mail\x00"}, None),
    ],
)
def test_preferences_refuse_what_is_not_offered_and_keep_the_rest(app, change, error):
    member = factories.make_user()
    client = client_for(app, member)
    choices = EVERY_TOPIC_BY_MAIL | {"comments": "app"} | change
    response = client.post("/settings/notifications", data=choices)
    assert response.status_code in (200, 400)
    if error:
        assert error in response.get_data(as_text=True)
    assert preferences_of(member)["comments"] is Delivery.MAIL  # nothing saved
    assert preferences_of(member)["moderation"] is Delivery.MAIL


def test_one_click_unsubscribe_stops_that_kind_of_mail_only(app, mailbox, worker_pass):
    asker = factories.make_user()
    question = _answered(app, asker)
    worker_pass()
    link = mailbox.wait_for(asker.email)["List-Unsubscribe"].strip("<>")
    path = link.removeprefix("http://localhost")
    # A mail client: no cookie, no form token, just the RFC 8058 body.
    stranger = app.test_client()
    response = stranger.post(
        path,
        data={"List-Unsubscribe": "One-Click"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 204
    assert preferences_of(asker)["answers"] is Delivery.APP
    mailbox.clear()
    client_for(app, factories.make_user()).post(
        f"/questions/{question.id}/answers", data={"body": "A third idea: a worn cassette."}
    )
    worker_pass()
    assert mailbox.to(asker.email) == []
    # Other kinds still come: a comment on the question.
    client_for(app, factories.make_user()).post(
        f"/questions/{question.id}/comments",
        data={f"question-{question.id}-body": "Which derailleur is it, and how old?"},
    )
    worker_pass()
    assert len(mailbox.to(asker.email)) == 1


def test_opening_the_unsubscribe_link_asks_first_and_forged_links_are_refused(app):
    member = factories.make_user()
    from portal.notifications.preferences import unsubscribe_token

    token = unsubscribe_token(member.id, BY_NAME["answers"])
    client = app.test_client()
    page = client.get(f"/mail/unsubscribe/{token}")
    assert page.status_code == 200 and "Stop this kind of mail?" in page.get_data(as_text=True)
    assert preferences_of(member)["answers"] is Delivery.MAIL  # a link scanner stops nothing
    done = client.post(f"/mail/unsubscribe/{token}", headers={"Sec-Fetch-Site": "same-origin"})
    assert "no more mail" in done.get_data(as_text=True)
    assert preferences_of(member)["answers"] is Delivery.APP
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/mail/unsubscribe/{forged}").status_code == 404
    assert client.post(f"/mail/unsubscribe/{forged}").status_code == 404
    assert client.get("/mail/unsubscribe/%00").status_code in (400, 404)


def test_notifications_from_before_the_mail_worker_are_not_mailed(app, mailbox, worker_pass):
    """Notifications already decided (as the migration marks the old ones) stay unmailed."""
    asker = factories.make_user()
    _answered(app, asker)
    db.session.execute(db.update(Notification).values(mail_state="not mailed"))
    db.session.commit()
    worker_pass()
    assert mailbox.to(asker.email) == []
    assert db.session.scalars(db.select(OutboxMail)).all() == []


def test_a_topic_turned_off_is_not_notified_at_all(app, mailbox, worker_pass):
    asker = factories.make_user()
    client_for(app, asker).post(
        "/settings/notifications", data=EVERY_TOPIC_BY_MAIL | {"answers": "off"}
    )
    _answered(app, asker)
    worker_pass()
    assert db.session.scalars(db.select(Notification)).all() == []
    assert mailbox.to(asker.email) == []


def _answer_to(question) -> Answer:
    return db.session.scalars(db.select(Answer).where(Answer.question_id == question.id)).one()


def _hide_answer(question):
    support_services.set_review_state(_answer_to(question), "hidden")


def _delete_answer(question):
    support_services.delete_post(_answer_to(question), factories.make_user("staff"))


def _delete_question(question):
    support_services.delete_post(question, factories.make_user("staff"))


@pytest.mark.parametrize("withdraw", [_hide_answer, _delete_answer, _delete_question])
def test_what_was_hidden_or_deleted_before_the_worker_ran_is_not_mailed(
    app, mailbox, worker_pass, withdraw
):
    asker = factories.make_user()
    question = _answered(app, asker)
    withdraw(db.session.get(Question, question.id))
    db.session.commit()
    worker_pass()
    assert mailbox.to(asker.email) == []
    notification = db.session.scalars(db.select(Notification)).one()
    assert notification.mail_state == "not mailed"  # still listed in the app


def test_a_moderator_is_mailed_about_an_answer_others_no_longer_see(app, mailbox, worker_pass):
    asker = factories.make_user("staff")
    question = _answered(app, asker)
    _hide_answer(db.session.get(Question, question.id))
    db.session.commit()
    worker_pass()
    assert len(mailbox.to(asker.email)) == 1


def test_a_status_change_of_an_idea_hidden_since_reaches_its_author_only(app, mailbox, worker_pass):
    author, voter = factories.make_user(), factories.make_user()
    idea = factories.make_idea(author, title="Dark mode for the dashboard")
    ideas_services.cast_vote(idea, voter)
    ideas_services.change_status(
        idea, "planned", note="Next quarter.", by=factories.make_user("product")
    )
    db.session.commit()
    ideas_services.set_review_state(idea, "hidden")
    db.session.commit()
    worker_pass()
    assert mailbox.to(voter.email) == []
    [mail] = mailbox.to(author.email)  # an author sees their own hidden idea
    assert "is now Planned" in str(make_header(decode_header(mail["Subject"])))
    kinds = db.session.execute(
        db.select(Notification.user_id, Notification.about_kind, Notification.about_id)
    ).all()
    assert sorted(kinds) == sorted([(author.id, "idea", idea.id), (voter.id, "idea", idea.id)])
