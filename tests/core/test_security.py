import pytest

from portal import create_app
from portal.config import ConfigError


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_script(client):
    page = client.get("/register").get_data(as_text=True)
    assert "<script>" not in page and "onclick=" not in page


def test_session_cookie_is_httponly_and_lax(client, make_user):
    from tests.factories import PASSWORD

    make_user(email="kim@example.com")
    response = client.post("/login", data={"email": "kim@example.com", "password": PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_https_flag_makes_cookies_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_HTTPS", "1")
    app = create_app({"INSTANCE_DIR": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAL_DATABASE_URL", "sqlite://")
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY"):
        create_app({"INSTANCE_DIR": str(tmp_path)})


def test_production_refuses_to_start_without_a_database_url(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "x" * 40)
    monkeypatch.delenv("PORTAL_DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="PORTAL_DATABASE_URL"):
        create_app({"INSTANCE_DIR": str(tmp_path)})


def test_development_generates_and_keeps_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.delenv("PORTAL_ENV", raising=False)
    config = {"INSTANCE_DIR": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    first = create_app(config).secret_key
    assert len(first) == 64 and (tmp_path / "secret_key").read_text() == first
    assert create_app(config).secret_key == first


def test_instance_dir_moves_all_state(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_INSTANCE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("PORTAL_DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'state' / 'portal.db'}"
    assert app.config["SEARCH_DIR"] == str(tmp_path / "state" / "search")
