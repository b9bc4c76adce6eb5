"""Links sent out are built on the configured public address (PORTAL_BASE_URL), never on the
Host header a request chose; requests for hosts that are not configured are refused."""

import re

import pytest

from portal.config import ConfigError, load_config
from portal.extensions import db
from portal.mail.models import OutboxMail
from tests import factories
from tests.mailbox import body_of

PUBLIC = "https://community.example.com"
ALIAS = "http://alias.example"  # a trusted extra name (PORTAL_TRUSTED_HOSTS)


@pytest.fixture
def app_config():
    return {
        "BASE_URL": PUBLIC,
        "TRUSTED_HOSTS": ["community.example.com", "alias.example", "localhost"],
        # The test client keeps the CSRF token's session cookie for localhost only.
        "WTF_CSRF_ENABLED": False,
    }


def _links(mailbox, address: str) -> list[str]:
    return re.findall(r"\S+://\S+", body_of(mailbox.wait_for(address)))


def test_reset_link_is_on_the_public_address_whatever_the_host(
    client, make_user, mailbox, worker_pass
):
    make_user(email="kim@example.com")
    client.post("/password/forgot", data={"email": "kim@example.com"}, base_url=ALIAS)
    worker_pass()
    [link] = _links(mailbox, "kim@example.com")
    assert link.startswith(f"{PUBLIC}/password/reset/")
    path = link.removeprefix(PUBLIC)
    assert client.get(path, base_url=PUBLIC).status_code == 200  # the token works there


def test_confirmation_link_is_on_the_public_address(client, mailbox, worker_pass):
    client.post(
        "/register",
        data={
            "display_name": "Robin Park",
            "email": "robin@example.com",
            "password": "a long enough phrase",
            "accept_guidelines": "y",
        },
        base_url=ALIAS,
    )
    worker_pass()
    [link] = _links(mailbox, "robin@example.com")
    assert link.startswith(f"{PUBLIC}/confirm/")


def test_already_registered_notice_links_to_the_public_address(
    client, make_user, mailbox, worker_pass
):
    make_user(email="robin@example.com")
    client.post(
        "/register",
        data={
            "display_name": "Robin Park",
            "email": "robin@example.com",
            "password": "a long enough phrase",
            "accept_guidelines": "y",
        },
        base_url=ALIAS,
    )
    worker_pass()
    assert _links(mailbox, "robin@example.com") == [f"{PUBLIC}/login", f"{PUBLIC}/password/forgot"]


def test_canonical_and_share_links_are_on_the_public_address(client, app):
    answer = factories.make_answer(factories.make_question())
    page = client.get(f"/questions/{answer.question_id}", base_url=ALIAS, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert f'rel="canonical" href="{PUBLIC}/questions/{answer.question_id}/' in html
    assert f'href="{PUBLIC}/answers/{answer.id}"' in html
    assert "alias.example" not in html


@pytest.mark.parametrize(
    ("method", "path", "csrf"),
    [
        ("post", "/password/forgot", True),
        ("post", "/password/forgot", False),  # the CSRF check must not answer first
        ("get", "/", True),
        ("get", "/no-such-page", True),
    ],
)
@pytest.mark.parametrize("app_config", [{}])  # the test configuration: CSRF checks on
def test_a_request_for_another_host_gets_a_400(client, make_user, method, path, csrf):
    make_user(email="kim@example.com")
    response = getattr(client, method)(
        path, data={"email": "kim@example.com"}, base_url="http://evil.example", csrf=csrf
    )
    assert response.status_code == 400
    assert "does not answer to that host name" in response.get_data(as_text=True)
    assert db.session.execute(db.select(OutboxMail)).first() is None


def _config(monkeypatch, tmp_path, **env) -> dict:
    for name in ("PORTAL_BASE_URL", "PORTAL_TRUSTED_HOSTS", "PORTAL_ENV", "PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return load_config({"INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x" * 40})


def test_development_address_follows_port_and_trusts_loopback(monkeypatch, tmp_path):
    config = _config(monkeypatch, tmp_path, PORT="8123")
    assert config["BASE_URL"] == "http://127.0.0.1:8123"
    assert config["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]


def test_production_trusts_the_public_host_and_the_extra_names(monkeypatch, tmp_path):
    config = _config(
        monkeypatch,
        tmp_path,
        PORTAL_ENV="production",
        PORTAL_DATABASE_URL="sqlite://",
        PORTAL_BASE_URL="https://community.example.com/",
        PORTAL_TRUSTED_HOSTS="www.example.com, .example.org",
    )
    assert config["BASE_URL"] == "https://community.example.com"
    assert config["TRUSTED_HOSTS"] == ["community.example.com", "www.example.com", ".example.org"]


def test_production_refuses_to_start_without_a_public_address(monkeypatch, tmp_path):
    with pytest.raises(ConfigError, match="PORTAL_BASE_URL"):
        _config(monkeypatch, tmp_path, PORTAL_ENV="production", PORTAL_DATABASE_URL="sqlite://")


@pytest.mark.parametrize("url", ["community.example.com", "ftp://example.com", "https://"])
def test_a_base_url_that_is_not_an_address_is_refused(monkeypatch, tmp_path, url):
    with pytest.raises(ConfigError, match="PORTAL_BASE_URL"):
        _config(monkeypatch, tmp_path, PORTAL_BASE_URL=url)
