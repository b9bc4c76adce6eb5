import pytest

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
