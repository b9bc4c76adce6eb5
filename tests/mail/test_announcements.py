"""Announcements: the team previews, tests and sends; the audience (everyone, an area's
watchers, a plan, a company) hears of it by mail unless they turned announcements off; a
plan's or a company's announcement is read by its members and the team alone."""

from email.header import decode_header, make_header

import pytest

from portal.announcements.models import Announcement
from portal.extensions import db
from portal.notifications.models import Notification
from portal.notifications.preferences import set_preferences
from tests import factories
from tests.conftest import client_for

BODY = "We moved **billing** to a new provider. Invoices keep their numbers."


def _form(audience="everyone", action="send", **extra):
    values = {"title": "Billing moves on 1 March", "body": BODY, "audience": audience}
    return values | {"action": action} | extra


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_preview_counts_the_audience_and_a_test_reaches_only_the_writer(app, mailbox, worker_pass):
    plan = factories.make_plan("Enterprise")
    for _ in range(3):
        factories.make_user(plan_id=plan.id)
    factories.make_user()
    staff = factories.make_user("staff")
    client = client_for(app, staff)
    page = client.post("/announcements/new", data=_form(f"plan:{plan.id}", "preview"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<strong>3</strong> members will get it." in html
    assert "<strong>billing</strong>" in html
    assert db.session.scalars(db.select(Announcement)).all() == []
    client.post("/announcements/new", data=_form(f"plan:{plan.id}", "test"))
    worker_pass()
    [mail] = mailbox.messages
    assert mail["To"] == staff.email
    assert _subject(mail).startswith("Test: Billing moves on 1 March")
    assert db.session.scalars(db.select(Notification)).all() == []


def test_sending_reaches_the_plan_by_mail_and_no_one_else(app, mailbox, worker_pass):
    plan = factories.make_plan("Pro")
    insider, outsider = factories.make_user(plan_id=plan.id), factories.make_user()
    quiet = factories.make_user(plan_id=plan.id)
    set_preferences(quiet, {"announcements": "off"}, mail_paused=False)
    db.session.commit()
    response = client_for(app, factories.make_user("manager")).post(
        "/announcements/new", data=_form(f"plan:{plan.id}")
    )
    announcement = db.session.scalars(db.select(Announcement)).one()
    assert response.location == f"/announcements/{announcement.id}"
    worker_pass()
    [mail] = mailbox.messages
    assert mail["To"] == insider.email and _subject(mail).startswith("Billing moves on 1 March")
    recipients = db.session.scalars(db.select(Notification.user_id)).all()
    assert recipients == [insider.id]
    url = f"/announcements/{announcement.id}"
    assert "Invoices keep their numbers" in client_for(app, insider).get(url).get_data(as_text=True)
    assert client_for(app, outsider).get(url).status_code == 404
    assert app.test_client().get(url).status_code == 404
    listing = client_for(app, outsider).get("/announcements").get_data(as_text=True)
    assert "Billing moves on 1 March" not in listing


def test_an_areas_watchers_and_a_company_are_audiences(app, worker_pass):
    area = factories.make_area("Billing")
    watcher, bystander = factories.make_user(), factories.make_user(company="Acme Ltd")
    colleague = factories.make_user(company="acme ltd")
    client_for(app, watcher).post(f"/follow/area/{area.id}", data={"level": "watching"})
    staff = client_for(app, factories.make_user("staff"))
    staff.post("/announcements/new", data=_form(f"area:{area.id}"))
    staff.post("/announcements/new", data=_form("company", company="  ACME   Ltd "))
    worker_pass()
    rows = db.session.execute(db.select(Notification.user_id, Notification.url)).all()
    by_url = {}
    for user_id, url in rows:
        by_url.setdefault(url, set()).add(user_id)
    assert sorted(by_url.values(), key=len) == [{watcher.id}, {bystander.id, colleague.id}]


@pytest.mark.parametrize(
    "form, error",
    [
        (_form("plan:999999"), "Choose who it is for from the list."),
        (_form("area:abc"), "Choose who it is for from the list."),
        (_form("company", company="   "), "Name the company whose members should read it."),
        (_form(title=""), "Give it a title."),
        (_form(body=""), "Write the announcement."),
    ],
)
def test_bad_input_is_refused_and_nothing_sent(app, form, error):
    page = client_for(app, factories.make_user("staff")).post("/announcements/new", data=form)
    assert page.status_code == 200 and error in page.get_data(as_text=True)
    assert db.session.scalars(db.select(Announcement)).all() == []
