"""Login sessions: one per browser, ended on the server by logging out, all ended by a new
password."""

import re
from datetime import timedelta

import pytest

from portal.accounts.models import LoginSession
from portal.accounts.sessions import key_hash
from portal.clock import utcnow
from portal.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD
from tests.mailbox import body_of


def _log_in(client, user, **extra):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, **extra})
    assert response.status_code == 302


def _signed_in(client) -> bool:
    return client.get("/settings").status_code == 200


def _browser_with(app, cookies: dict):
    """A new browser holding copies of another one's cookies."""
    browser = app.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value)
    return browser


def _sessions(user) -> list[LoginSession]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(LoginSession).filter_by(user_id=user.id)))


def test_a_cookie_saved_before_logout_no_longer_signs_in(app, client, make_user):
    user = make_user()
    _log_in(client, user, remember="y")
    saved = {name: client.get_cookie(name).value for name in ("session", "remember_token")}
    assert _signed_in(_browser_with(app, saved))

    client.post("/logout")
    assert not _signed_in(client)
    assert not _signed_in(_browser_with(app, saved))
    assert not _signed_in(_browser_with(app, {"remember_token": saved["remember_token"]}))
    assert _sessions(user) == []


def test_logging_out_leaves_the_other_browsers_signed_in(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    _log_in(laptop, user)
    _log_in(phone, user)
    laptop.post("/logout")
    assert not _signed_in(laptop) and _signed_in(phone)
    assert len(_sessions(user)) == 1


def test_a_password_reset_ends_every_session(app, client, make_user, mailbox, worker_pass):
    user = make_user(email="kim@example.com")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    _log_in(phone, user)
    client.post("/password/forgot", data={"email": "kim@example.com"})
    worker_pass()
    body = body_of(mailbox.wait_for("kim@example.com"))
    link = re.search(r"http://localhost(/password/reset/\S+)", body).group(1)
    new = {"new_password": "new phrase here", "confirm_password": "new phrase here"}
    assert client.post(link, data=new).status_code == 302

    assert not _signed_in(laptop) and not _signed_in(phone)
    assert _signed_in(client)
    assert len(_sessions(user)) == 1


def test_a_session_records_its_person_times_and_browser_but_not_its_key(client, make_user):
    user = make_user()
    before = utcnow()
    client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        headers={"User-Agent": "Firefox/140.0"},
    )
    [session] = _sessions(user)
    with client.session_transaction() as cookie:
        key = cookie["_user_id"]
    assert session.key_hash == key_hash(key) != key
    assert session.user_agent == "Firefox/140.0"
    assert before <= session.created_at <= session.last_seen_at <= utcnow()


@pytest.mark.parametrize("app_config", [{"SESSION_SEEN_FLUSH_SECONDS": 0}])
def test_last_seen_moves_at_most_once_an_hour(client, make_user):
    user = make_user()
    login(client, user)
    [session] = _sessions(user)
    recently, long_ago = utcnow() - timedelta(minutes=30), utcnow() - timedelta(hours=2)

    session.last_seen_at = recently
    db.session.commit()
    client.get("/")
    assert _sessions(user)[0].last_seen_at == recently

    _sessions(user)[0].last_seen_at = long_ago
    db.session.commit()
    client.get("/")
    assert _sessions(user)[0].last_seen_at > utcnow() - timedelta(minutes=1)


def test_signing_in_forgets_sessions_idle_for_over_a_year(app, make_user):
    user = make_user()
    login(app.test_client(), user)
    [old] = _sessions(user)
    old.last_seen_at = utcnow() - timedelta(days=500)
    forgotten = old.key_hash
    db.session.commit()
    _log_in(app.test_client(), user)
    assert [s.key_hash for s in _sessions(user)] not in ([], [forgotten])
