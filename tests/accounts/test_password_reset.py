import re

from portal.extensions import db
from tests.factories import PASSWORD
from tests.mailbox import body_of


def _reset_link(mailbox, address: str) -> str:
    body = body_of(mailbox.wait_for(address))
    return re.search(r"http://localhost(/password/reset/\S+)", body).group(1)


def test_reset_password_by_mail_once(client, make_user, mailbox, app, worker_pass):
    user = make_user(email="kim@example.com")
    page = client.post("/password/forgot", data={"email": "Kim@example.com"}).get_data(as_text=True)
    worker_pass()
    assert "If an account exists for <strong>kim@example.com</strong>" in page
    link = _reset_link(mailbox, "kim@example.com")

    bad = client.post(link, data={"new_password": "new phrase here", "confirm_password": "x"})
    assert "The two new passwords are not the same." in bad.get_data(as_text=True)

    done = client.post(
        link, data={"new_password": "new phrase here", "confirm_password": "new phrase here"}
    )
    assert done.status_code == 302
    assert "Log out" in client.get("/").get_data(as_text=True)
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200
    assert (
        fresh.post("/login", data={"email": user.email, "password": "new phrase here"}).status_code
        == 302
    )
    spent = app.test_client().get(link)
    assert spent.status_code == 302 and spent.location == "/password/forgot"


def test_unknown_email_gets_the_same_page_and_no_mail(client, mailbox, worker_pass):
    page = client.post("/password/forgot", data={"email": "ghost@example.com"}).get_data(
        as_text=True
    )
    assert "If an account exists for <strong>ghost@example.com</strong>" in page
    assert "0 sent" in worker_pass()
    assert mailbox.to("ghost@example.com") == []


def test_forgot_form_validates_the_address(client):
    page = client.post("/password/forgot", data={"email": "nope"}).get_data(as_text=True)
    assert "Enter an email address like name@example.com." in page
    assert 'value="nope"' in page
    assert db.session is not None
