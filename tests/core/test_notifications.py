from portal.extensions import db
from portal.notifications.services import notify, unread_count
from tests.conftest import login


def test_unread_count_page_and_mark_read(client, make_user):
    reader, actor = make_user(), make_user(display_name="Answerer")
    notify(
        [reader.id, actor.id], kind="test", title="Someone answered", url="/guidelines", actor=actor
    )
    db.session.commit()
    assert unread_count(actor) == 0  # the actor is never notified of their own action
    login(client, reader)
    page = client.get("/").get_data(as_text=True)
    assert '<span class="count-badge">1' in page
    listing = client.get("/notifications").get_data(as_text=True)
    assert "Someone answered" in listing and "Unread" in listing

    from portal.notifications.models import Notification

    note = db.session.execute(db.select(Notification)).scalar_one()
    response = client.post(f"/notifications/{note.id}/open")
    assert response.status_code == 302 and response.location == "/guidelines"
    assert unread_count(reader) == 0


def test_cannot_open_someone_elses_notification(client, make_user):
    owner, other = make_user(), make_user()
    notify([owner.id], kind="test", title="Private", url="/")
    db.session.commit()
    from portal.notifications.models import Notification

    note = db.session.execute(db.select(Notification)).scalar_one()
    login(client, other)
    assert client.post(f"/notifications/{note.id}/open").status_code == 404
    assert unread_count(owner) == 1


def test_mark_all_read(client, make_user):
    reader = make_user()
    notify([reader.id], kind="a", title="One", url="/")
    notify([reader.id], kind="b", title="Two", url="/")
    db.session.commit()
    login(client, reader)
    client.post("/notifications/read")
    assert unread_count(reader) == 0


def test_notification_links_never_leave_the_site(client, make_user):
    reader = make_user()
    notify([reader.id], kind="a", title="One", url="https://evil.example/")
    db.session.commit()
    from portal.notifications.models import Notification

    note = db.session.execute(db.select(Notification)).scalar_one()
    login(client, reader)
    assert client.post(f"/notifications/{note.id}/open").location == "/notifications"
