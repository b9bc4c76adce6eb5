import re

import pytest

from portal.accounts.models import Role, User
from portal.activity.models import ActivityEvent
from portal.extensions import db
from tests.concurrency import run_concurrently
from tests.mailbox import body_of

GOOD = {
    "display_name": "Robin Park",
    "email": "Robin@Example.com",
    "password": "a long enough phrase",
    "accept_guidelines": "y",
}


def _confirm_link(mailbox, address: str) -> str:
    body = body_of(mailbox.wait_for(address))
    return re.search(r"http://localhost(/confirm/\S+)", body).group(1)


def test_register_sends_a_confirmation_link_that_logs_in(client, mailbox, worker_pass):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 302 and response.location == "/register/check-email"
    assert "robin@example.com" in client.get("/register/check-email").get_data(as_text=True)
    user = db.session.execute(db.select(User)).scalar_one()
    assert user.email == "robin@example.com" and not user.email_confirmed
    assert user.role == Role.MEMBER and user.guidelines_accepted_at is not None
    assert user.password_hash and "a long enough phrase" not in user.password_hash
    assert "Log out" not in client.get("/").get_data(as_text=True)
    assert mailbox.to("robin@example.com") == []  # queued: the mail worker sends it
    assert "1 sent" in worker_pass()

    link = _confirm_link(mailbox, "robin@example.com")
    assert client.get(link).status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Robin Park" in page and "Log out" in page
    db.session.refresh(user)
    assert user.email_confirmed
    assert (
        db.session.execute(db.select(ActivityEvent).where(ActivityEvent.kind == "user.registered"))
        .scalar_one()
        .actor_id
        == user.id
    )


def _flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


def _signed_in(client) -> bool:
    return "Log out" in client.get("/").get_data(as_text=True)


def test_confirmation_link_is_spent_by_its_first_use(client, app, mailbox, worker_pass):
    client.post("/register", data=GOOD)
    worker_pass()
    link = _confirm_link(mailbox, "robin@example.com")
    assert client.get(link).location == "/"
    assert _signed_in(client)
    client.post("/logout")

    for browser in (client, app.test_client()):
        again = browser.get(link)
        assert again.status_code == 302 and again.location == "/login"
        assert "That confirmation link was already used" in " ".join(_flashes(browser))
        assert not _signed_in(browser)


def test_confirming_in_another_browser_does_not_sign_it_in(client, app, mailbox, worker_pass):
    client.post("/register", data=GOOD)
    worker_pass()
    link = _confirm_link(mailbox, "robin@example.com")
    elsewhere = app.test_client()
    response = elsewhere.get(link)
    assert response.status_code == 302 and response.location == "/login"
    assert _flashes(elsewhere) == ["Your email address is confirmed. Log in to continue."]
    assert not _signed_in(elsewhere)
    user = db.session.execute(db.select(User)).scalar_one()
    assert user.email_confirmed
    login_page = elsewhere.post(
        "/login", data={"email": "robin@example.com", "password": GOOD["password"]}
    )
    assert login_page.location == "/" and _signed_in(elsewhere)


def test_confirming_long_after_registering_does_not_sign_in(client, mailbox, worker_pass):
    client.post("/register", data=GOOD)
    worker_pass()
    link = _confirm_link(mailbox, "robin@example.com")
    with client.session_transaction() as session:
        session["pending_since"] -= 20 * 60
    assert client.get(link).location == "/login"
    assert not _signed_in(client)
    assert db.session.execute(db.select(User)).scalar_one().email_confirmed


def test_clicks_at_the_same_moment_spend_the_link_once(app, client, mailbox, worker_pass):
    client.post("/register", data=GOOD)
    worker_pass()
    link = _confirm_link(mailbox, "robin@example.com")
    outcomes = []

    def open_link(_index: int) -> None:
        browser = app.test_client()
        browser.get(link)
        outcomes.extend(_flashes(browser))

    assert run_concurrently(app, open_link, threads=4) == []
    assert sorted(outcomes) == sorted(
        ["Your email address is confirmed. Log in to continue."]
        + [
            "That confirmation link was already used: your email address is confirmed. "
            "Log in to continue."
        ]
        * 3
    )


def test_confirmation_link_cannot_be_forged(client, make_user):
    make_user()
    response = client.get("/confirm/not-a-real-token")
    assert response.status_code == 302 and response.location == "/login"


def test_unconfirmed_member_logging_in_gets_a_new_link(client, mailbox, worker_pass):
    client.post("/register", data=GOOD)
    worker_pass()
    mailbox.wait_for("robin@example.com")
    mailbox.clear()
    response = client.post(
        "/login", data={"email": "robin@example.com", "password": GOOD["password"]}
    )
    worker_pass()
    assert response.location == "/register/check-email"
    assert _confirm_link(mailbox, "robin@example.com").startswith("/confirm/")


@pytest.mark.parametrize(
    ("change", "field_message"),
    [
        ({"display_name": ""}, "Enter the name others will see."),
        ({"display_name": "x" * 61}, "Use 2 to 60 characters."),
        ({"email": ""}, "Enter your email address."),
        ({"email": "not-an-email"}, "Enter an email address like name@example.com."),
        ({"password": "short"}, "Use 10 to 128 characters."),
        ({"password": "p" * 129}, "Use 10 to 128 characters."),
        ({"password": "aaaaaaaaaaaa"}, "Use more than three different characters."),
        ({"password": "password123"}, "That password is too common"),
        ({"accept_guidelines": ""}, "You need to accept the community guidelines"),
    ],
)
def test_bad_registration_explains_and_keeps_input(client, change, field_message):
    data = {**GOOD, **change}
    response = client.post("/register", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_message in page
    assert 'aria-invalid="true"' in page
    if data["display_name"]:
        assert f'value="{data["display_name"]}"' in page
    assert db.session.execute(db.select(User)).first() is None


def test_duplicate_email_looks_the_same_outside_and_tells_the_owner(
    client, make_user, mailbox, worker_pass
):
    owner = make_user(email="robin@example.com", display_name="Original Robin")
    response = client.post("/register", data=GOOD)
    worker_pass()
    assert response.status_code == 302 and response.location == "/register/check-email"
    assert db.session.execute(db.select(db.func.count(User.id))).scalar() == 1
    notice = body_of(mailbox.wait_for("robin@example.com"))
    assert "You already have an account" in notice and "Original Robin" in notice
    db.session.refresh(owner)
    assert owner.display_name == "Original Robin"


def test_guidelines_page_is_linked_from_registration(client):
    page = client.get("/register").get_data(as_text=True)
    assert 'href="/guidelines"' in page
    assert "Be kind, be helpful" in client.get("/guidelines").get_data(as_text=True)


def test_stale_csrf_token_keeps_typed_input_and_saves_nothing(client):
    response = client.post("/register", data={**GOOD, "csrf_token": "stale"}, csrf=False)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This form had expired, so nothing was saved" in page
    assert 'value="Robin Park"' in page
    assert db.session.execute(db.select(User)).first() is None


def test_post_without_csrf_to_a_button_endpoint_is_refused(client, make_user):
    from tests.conftest import login

    login(client, make_user())
    response = client.post("/logout", csrf=False)
    assert response.status_code == 400
    assert "nothing was changed" in response.get_data(as_text=True)


def test_a_short_password_is_explained_once(client):
    page = client.post("/register", data={**GOOD, "password": "short"}).get_data(as_text=True)
    assert page.count("Use 10 to 128 characters.") == 1
    assert "Use at least 10 characters" not in page


@pytest.mark.parametrize("taken", [False, True], ids=["new address", "taken address"])
def test_registration_hashes_the_password_whether_or_not_the_address_is_taken(
    client, make_user, monkeypatch, taken
):
    """The hash is nearly all the work of registering: skipping it for a taken address made the
    answer come ten times sooner, telling who has an account."""
    from portal.accounts import auth

    if taken:
        make_user(email="robin@example.com")
    hashed = []
    real_hash = auth.generate_password_hash

    def spy(password, **options):
        hashed.append(password)
        return real_hash(password, **options)

    monkeypatch.setattr(auth, "generate_password_hash", spy)
    response = client.post("/register", data=GOOD)
    assert response.status_code == 302 and response.location == "/register/check-email"
    assert hashed == [GOOD["password"]]


def test_a_bot_filling_the_hidden_field_is_told_to_check_its_mail_and_nothing_is_made(
    client, mailbox, worker_pass
):
    from portal.accounts.models import User
    from portal.extensions import db

    page = client.get("/register").get_data(as_text=True)
    assert 'name="website"' in page and 'class="honeypot" aria-hidden="true"' in page
    response = client.post("/register", data={**GOOD, "website": "https://spam.example"})
    assert response.status_code == 302 and response.location == "/register/check-email"
    worker_pass()
    assert db.session.scalar(db.select(User).where(User.email == GOOD["email"])) is None
    assert mailbox.messages == []
