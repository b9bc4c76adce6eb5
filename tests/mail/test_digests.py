"""Daily and weekly digests through a real SMTP server on loopback: what each member's digest
holds, nothing when there is nothing to say, one per member and period however many workers
build them, and one-click unsubscribe."""

from datetime import timedelta
from email.header import decode_header, make_header

from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db
from portal.ideas import services as ideas_services
from portal.mail.digests import period_before, send_digests, send_due_digests
from portal.mail.models import DigestSend
from portal.mail.services import deliver_pending
from portal.notifications.models import Notification
from portal.notifications.preferences import Delivery, preferences_of, set_preferences
from portal.support import services as support_services
from tests import factories
from tests.concurrency import run_concurrently
from tests.conftest import client_for

NEXT_WEEK = timedelta(days=7)  # the week of what a test writes has ended by then


def _earlier(user, days: int = 30):
    """A member since before the period (a digest never goes to someone who joined in it)."""
    user.created_at = utcnow() - timedelta(days=days)
    db.session.commit()
    return user


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _plain(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


def _html(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/html")
    return part.get_payload(decode=True).decode()


def _weekly_run(now=None) -> None:
    now = now or utcnow() + NEXT_WEEK
    while send_digests(Delivery.WEEKLY, now):
        pass
    deliver_pending(limit=500)


def test_a_weekly_digest_brings_the_weeks_news_to_each_member(app, mailbox):
    area, other_area = factories.make_area("Billing"), factories.make_area("Reports")
    helper = _earlier(factories.make_user(display_name="Helper"))
    asker = _earlier(factories.make_user(display_name="Asker"))
    old = factories.make_question(area=area)
    old.created_at = utcnow() - timedelta(days=20)
    support_services.post_answer(old, helper, "An answer from weeks ago, in Billing.")
    db.session.commit()
    top = factories.make_question(asker, area=other_area, title="Invoices show the wrong VAT")
    top.score = 7
    unanswered = factories.make_question(area=area, title="Refunds to an expired card")
    hidden = factories.make_question(area=area, title="Buy cheap watches here")
    support_services.set_review_state(hidden, "hidden")
    idea = factories.make_idea(title="Export invoices as CSV", area=area)
    ideas_services.change_status(idea, "planned", note="", by=factories.make_user("product"))
    db.session.commit()

    _weekly_run()

    mail = mailbox.wait_for(helper.email)
    assert _subject(mail) == "Your weekly digest · Community"
    text = _plain(mail)
    assert "Top questions" in text and top.title in text and "0 answers" in text
    assert "You could help" in text and unanswered.title in text  # Billing, where they answer
    assert "Ideas that changed status" in text and "now Planned" in text
    assert "Top new ideas" in text and idea.title in text
    assert hidden.title not in text and hidden.title not in _html(mail)
    assert f"http://localhost/questions/{top.id}/" in text
    assert f'href="http://localhost/questions/{unanswered.id}/' in _html(mail)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    asked = _plain(mailbox.wait_for(asker.email))
    assert top.title not in asked  # their own question is no news to them
    assert "You could help" not in asked  # they never answered


def test_nothing_to_say_means_no_mail(app, mailbox):
    member = _earlier(factories.make_user())
    _weekly_run()
    assert mailbox.to(member.email) == []
    decided = db.session.scalars(db.select(DigestSend)).one()
    assert (decided.user_id, decided.mailed) == (member.id, False)
    assert decided.period == period_before(Delivery.WEEKLY, utcnow() + NEXT_WEEK).key


def test_no_digest_for_whom_it_cannot_reach_or_who_turned_it_off(app, mailbox):
    factories.make_question(title="Something happened this week")
    unconfirmed = _earlier(factories.make_user(email_confirmed_at=None))
    paused = _earlier(factories.make_user(mail_paused=True))
    off = _earlier(factories.make_user())
    set_preferences(off, {"summary": "off"}, mail_paused=False)
    db.session.commit()
    later = _earlier(factories.make_user())
    _weekly_run(utcnow())  # the week before they all joined
    for member in (unconfirmed, paused, off, later):
        assert mailbox.to(member.email) == []
    _weekly_run()
    assert mailbox.to(later.email) != []
    for member in (unconfirmed, paused, off):
        assert mailbox.to(member.email) == []


def test_a_member_gets_one_digest_a_period_however_many_workers_build_it(app, mailbox):
    members = [_earlier(factories.make_user()).id for _ in range(12)]
    factories.make_question(title="News of the week")
    now = utcnow() + NEXT_WEEK

    def worker(_index: int) -> None:
        while send_digests(Delivery.WEEKLY, now, limit=5):
            pass

    assert run_concurrently(app, worker, threads=4) == []
    _weekly_run(now)  # and once more afterwards
    deliver_pending(limit=500)
    sent = [message["To"] for message in mailbox.messages]
    assert sorted(sent) == sorted(db.session.get(User, m).email for m in members)
    everyone = db.session.scalar(db.select(db.func.count()).select_from(User))
    assert db.session.scalar(db.select(db.func.count()).select_from(DigestSend)) == everyone


def test_notifications_chosen_for_the_daily_digest_wait_for_it(app, mailbox, worker_pass):
    asker = factories.make_user()
    set_preferences(asker, {"answers": "daily", "summary": "off"}, mail_paused=False)
    db.session.commit()
    question = factories.make_question(asker, title="Sync stops at night")
    kept = factories.make_answer(question, body="Turn off battery saving for the app, then retry.")
    withdrawn = factories.make_answer(question, body="Spam spam spam, buy now, limited offer!")
    worker_pass()
    assert mailbox.to(asker.email) == []  # not at once
    states = db.session.scalars(db.select(Notification.mail_state)).all()
    assert states == ["daily", "daily"]
    support_services.set_review_state(withdrawn, "hidden")
    db.session.commit()

    tomorrow = utcnow() + timedelta(days=1)
    while send_digests(Delivery.DAILY, tomorrow):
        pass
    deliver_pending()
    [mail] = mailbox.to(asker.email)
    assert _subject(mail) == "Your daily digest · Community"
    text = _plain(mail)
    assert "For you" in text and f"/questions/{question.id}/" in text
    assert text.count("answered your question") == 1  # the hidden answer is left out
    db.session.expire_all()
    by_answer = dict(db.session.execute(db.select(Notification.url, Notification.mail_state)).all())
    assert by_answer[f"/questions/{question.id}/{question.slug}#answer-{kept.id}"] == "mailed"
    assert by_answer[f"/questions/{question.id}/{question.slug}#answer-{withdrawn.id}"] == (
        "not mailed"
    )


def test_muted_product_areas_are_left_out_of_the_summary(app, mailbox):
    member = _earlier(factories.make_user())
    muted, other = factories.make_area("Mobile app"), factories.make_area("Reports")
    client_for(app, member).post(f"/follow/area/{muted.id}", data={"level": "muted"})
    hushed = factories.make_question(area=muted, title="iOS widget is blank")
    heard = factories.make_question(area=other, title="Scheduled reports arrive late")
    _weekly_run()
    text = _plain(mailbox.wait_for(member.email))
    assert heard.title in text and hushed.title not in text


def test_one_click_unsubscribe_stops_the_digest_and_what_it_carried(app, mailbox):
    member = _earlier(factories.make_user())
    set_preferences(member, {"answers": "weekly"}, mail_paused=False)
    db.session.commit()
    factories.make_question(title="News of the week")
    _weekly_run()
    link = mailbox.wait_for(member.email)["List-Unsubscribe"].strip("<>")
    response = app.test_client().post(
        link.removeprefix("http://localhost"),
        data={"List-Unsubscribe": "One-Click"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 204
    chosen = preferences_of(member)
    assert chosen["summary"] is Delivery.OFF and chosen["answers"] is Delivery.APP
    mailbox.clear()
    factories.make_question(title="News of the week after")
    _weekly_run(utcnow() + NEXT_WEEK * 2)
    assert mailbox.to(member.email) == []


def test_claims_of_periods_long_done_are_forgotten(app):
    member = _earlier(factories.make_user())
    old = DigestSend(user_id=member.id, period="weekly:2026-01-05", mailed=False)
    old.created_at = utcnow() - timedelta(days=90)
    db.session.add(old)
    db.session.commit()
    send_due_digests(utcnow() + NEXT_WEEK)
    send_due_digests(utcnow() + NEXT_WEEK)  # the period is done: old claims go
    periods = db.session.scalars(db.select(DigestSend.period)).all()
    assert "weekly:2026-01-05" not in periods and periods
