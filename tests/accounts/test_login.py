import threading

import pytest
from werkzeug.security import generate_password_hash

from portal.accounts import auth
from portal.accounts.services import authenticate
from portal.config import load_config
from portal.extensions import db
from tests.factories import PASSWORD


def test_login_and_logout(client, make_user):
    user = make_user(email="kim@example.com", display_name="Kim")
    response = client.post("/login", data={"email": "KIM@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert "Kim" in client.get("/").get_data(as_text=True)
    client.post("/logout")
    page = client.get("/").get_data(as_text=True)
    assert "Log in" in page and "Log out" not in page
    assert user.id


@pytest.mark.parametrize("email", ["kim@example.com", "nobody@example.com"])
def test_wrong_credentials_give_one_message_that_reveals_nothing(client, make_user, email):
    make_user(email="kim@example.com")
    response = client.post("/login", data={"email": email, "password": "wrong password!"})
    page = response.get_data(as_text=True)
    assert "The email or password is not correct." in page
    assert f'value="{email}"' in page
    assert "Log out" not in page


def test_empty_login_form_explains_each_field(client):
    page = client.post("/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "Enter your email address." in page
    assert "Enter your password." in page


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/guidelines", "/guidelines"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_redirects_only_within_the_site(client, make_user, next_url, expected):
    make_user(email="kim@example.com")
    response = client.post(
        "/login",
        query_string={"next": next_url},
        data={"email": "kim@example.com", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.location == expected


def test_remember_me_sets_a_persistent_cookie(client, make_user):
    make_user(email="kim@example.com")
    response = client.post(
        "/login", data={"email": "kim@example.com", "password": PASSWORD, "remember": "y"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "SameSite=Lax" in remember[0]


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_login_is_rate_limited(client, make_user):
    make_user(email="kim@example.com")
    statuses = [
        client.post(
            "/login", data={"email": "kim@example.com", "password": "nope nope nope"}
        ).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    page = client.post("/login", data={"email": "x@example.com", "password": "y"})
    assert "Slow down a little" in page.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_registration_is_rate_limited(client):
    statuses = [client.post("/register", data={}).status_code for _ in range(11)]
    assert statuses[-1] == 429


def test_a_password_hashed_with_older_parameters_is_hashed_anew_at_login(app, client, make_user):
    """The configured parameters apply to members who registered before they changed: the
    login that proves their password hashes it again (their old hash stays until then)."""
    older = generate_password_hash(PASSWORD, method="pbkdf2:sha256:2")
    user = make_user(email="kim@example.com", password_hash=older)
    assert (
        client.post("/login", data={"email": "kim@example.com", "password": PASSWORD}).status_code
        == 302
    )
    db.session.refresh(user)
    assert user.password_hash != older
    assert user.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"] + "$")
    kept = user.password_hash
    client.post("/logout")
    assert (
        client.post("/login", data={"email": "kim@example.com", "password": PASSWORD}).status_code
        == 302
    )
    db.session.refresh(user)
    assert user.password_hash == kept  # hashed once, not at every login


def test_a_wrong_password_leaves_an_older_hash_alone(client, make_user):
    older = generate_password_hash(PASSWORD, method="pbkdf2:sha256:2")
    user = make_user(email="kim@example.com", password_hash=older)
    client.post("/login", data={"email": "kim@example.com", "password": "wrong password!"})
    db.session.refresh(user)
    assert user.password_hash == older


def test_passwords_are_hashed_with_scrypt_at_16_mib_by_default(tmp_path):
    """OWASP's scrypt parameters of equal strength to N=2^17, at 16 MiB a hash."""
    config = load_config({"INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x"})
    assert config["PASSWORD_HASH_METHOD"] == "scrypt:16384:8:5"


def test_passwords_are_hashed_one_at_a_time_per_process(app, make_user):
    """While one hash runs (it holds scrypt's memory), a login in another thread waits."""
    make_user(email="kim@example.com")
    done = threading.Event()

    def log_in():
        with app.app_context():
            authenticate("kim@example.com", PASSWORD)
            done.set()

    with auth._HASHING:
        thread = threading.Thread(target=log_in)
        thread.start()
        assert not done.wait(0.3)
    assert done.wait(10)
    thread.join()
