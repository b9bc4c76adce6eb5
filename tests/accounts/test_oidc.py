"""Signing in with the brand's accounts against a real OpenID provider on loopback
(tests/oidc): first sign-in, linking by verified email only, segments from claims, replayed
state, linking and unlinking in settings, and the SSO-only mode."""

import pytest

from portal.accounts.models import ExternalIdentity, Plan, Role, User
from portal.extensions import db
from tests import factories
from tests.conftest import client_for
from tests.oidc import node_available, sign_in_at_provider, start_provider

pytestmark = pytest.mark.skipif(not node_available(), reason="npm ci in tests/oidc first")

CALLBACK = "http://localhost/login/sso/brand/callback"
ACCOUNTS = {
    "ada": {
        "email": "ada@acme.example",
        "email_verified": True,
        "name": "Ada Lovelace",
        "company": "Acme Bikes",
        "plan": "enterprise",
    },
    "mallory": {"email": "victim@example.com", "email_verified": False, "name": "Mallory"},
    "verified-victim": {"email": "victim@example.com", "email_verified": True, "name": "Vic"},
}


@pytest.fixture(scope="module")
def provider():
    started = start_provider([CALLBACK], ACCOUNTS)
    yield started
    started.stop()


@pytest.fixture
def app_config(provider):
    return {"OIDC_PROVIDERS": provider.config()}


def _sign_in(client, login: str, path: str = "/login/sso/brand"):
    start = client.get(path)
    assert start.status_code == 302, start.get_data(as_text=True)
    back = sign_in_at_provider(start.location, login, until=CALLBACK)
    return client.get(back.removeprefix("http://localhost"))


def _me(client) -> str:
    return client.get("/settings").get_data(as_text=True)


def test_a_first_sign_in_makes_a_member_with_the_brands_segment(app):
    db.session.add(Plan(name="Enterprise", slug="enterprise"))
    db.session.commit()
    client = app.test_client()
    done = _sign_in(client, "ada")
    assert done.status_code == 302, done.get_data(as_text=True)
    user = db.session.scalars(db.select(User).where(User.email == "ada@acme.example")).one()
    assert user.display_name == "Ada Lovelace" and user.email_confirmed
    assert user.company == "Acme Bikes" and user.plan.slug == "enterprise"
    assert user.password_hash is None and user.guidelines_accepted_at is None
    identity = db.session.scalars(db.select(ExternalIdentity)).one()
    assert (identity.provider, identity.subject, identity.user_id) == ("brand", "ada", user.id)
    # The guidelines come first, then the community.
    first = client.get("/questions")
    assert first.status_code == 302 and "/guidelines/accept" in first.location
    client.post("/guidelines/accept")
    assert client.get("/questions").status_code == 200
    # Again: the same member, no second account.
    client.post("/logout")
    _sign_in(client, "ada")
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_a_verified_email_links_to_the_existing_account(app):
    member = factories.make_user(email="victim@example.com", display_name="Victoria")
    client = app.test_client()
    _sign_in(client, "verified-victim")
    db.session.expire_all()
    identity = db.session.scalars(db.select(ExternalIdentity)).one()
    assert identity.user_id == member.id and "Victoria" in _me(client)


def test_an_unverified_email_cannot_take_over_an_account(app):
    factories.make_user(email="victim@example.com", display_name="Victoria")
    client = app.test_client()
    refused = _sign_in(client, "mallory")
    assert refused.status_code == 302 and "/login" in refused.location
    page = client.get(refused.location).get_data(as_text=True)
    assert "has not verified it" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(ExternalIdentity)) == 0
    assert client.get("/settings").status_code == 302  # not signed in


def test_a_replayed_callback_signs_no_one_in(app):
    client = app.test_client()
    start = client.get("/login/sso/brand")
    back = sign_in_at_provider(start.location, "ada", until=CALLBACK).removeprefix(
        "http://localhost"
    )
    assert client.get(back).status_code == 302
    client.post("/logout")
    replay = client.get(back)  # the same state and code again
    assert replay.status_code == 302 and "/login" in replay.location
    assert client.get("/settings").status_code == 302
    other = app.test_client()  # a browser that never started the sign-in
    assert other.get(back).status_code == 302 and other.get("/settings").status_code == 302


def test_a_member_links_and_unlinks_a_provider_in_settings(app):
    member = factories.make_user()
    client = client_for(app, member)
    assert "Not linked" in client.get("/settings/sso").get_data(as_text=True)
    linked = _sign_in(client, "ada", "/login/sso/brand?link=1")
    assert linked.status_code == 302 and linked.location.endswith("/settings/sso")
    identity = db.session.scalars(db.select(ExternalIdentity)).one()
    assert identity.user_id == member.id
    assert client.post(f"/settings/sso/{identity.id}/unlink").status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(ExternalIdentity)) == 0


def test_the_last_way_in_cannot_be_unlinked(app):
    client = app.test_client()
    _sign_in(client, "ada")
    client.post("/guidelines/accept")
    identity = db.session.scalars(db.select(ExternalIdentity)).one()
    refused = client.post(f"/settings/sso/{identity.id}/unlink")
    assert refused.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(ExternalIdentity)) == 1


def test_sso_only_mode_keeps_passwords_for_admins_alone(app):
    app.config["SSO_ONLY"] = True
    member = factories.make_user(password_hash=None)
    from portal.accounts.auth import hash_password

    member.password_hash = hash_password("a long demo password")
    admin = factories.make_user(Role.ADMIN)
    admin.password_hash = hash_password("a long demo password")
    db.session.commit()
    page = app.test_client().get("/login").get_data(as_text=True)
    assert "Sign in with Acme ID" in page and 'name="password"' not in page
    assert "Administrator sign-in" in page
    as_member = app.test_client().post(
        "/login", data={"email": member.email, "password": "a long demo password"}
    )
    assert "Sign in with your company account" in as_member.get_data(as_text=True)
    as_admin = app.test_client().post(
        "/login", data={"email": admin.email, "password": "a long demo password"}
    )
    assert as_admin.status_code == 302


class TamperingProxy:
    """Stands between the portal and the provider and rewrites the ID token the token endpoint
    returns, re-signed with the provider's own key (or another): what a forged or stale token
    looks like to the portal. Discovery is passed through with its token endpoint pointed here."""

    def __init__(self, provider, tamper):
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        import requests
        from joserfc import jwt
        from joserfc.jwk import RSAKey

        upstream = provider.issuer
        other_key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "alg": "RS256"})

        class Handler(BaseHTTPRequestHandler):
            def _relay(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                answer = requests.request(
                    method, upstream + self.path, data=body, headers=headers, timeout=10
                )
                content = answer.content
                if self.path.startswith("/.well-known/openid-configuration"):
                    document = answer.json()
                    document["token_endpoint"] = proxy_url + "/token"
                    content = json.dumps(document).encode()
                elif self.path.startswith("/token") and answer.ok:
                    tokens = answer.json()
                    claims = jwt.decode(tokens["id_token"], provider.key).claims
                    changed, key = tamper(dict(claims), provider.key, other_key)
                    tokens["id_token"] = jwt.encode(
                        {"alg": "RS256", "kid": "test-key"}, changed, key
                    )
                    content = json.dumps(tokens).encode()
                self.send_response(answer.status_code)
                self.send_header("Content-Type", answer.headers.get("Content-Type", "text/plain"))
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def do_GET(self):
                self._relay("GET")

            def do_POST(self):
                self._relay("POST")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        proxy_url = f"http://127.0.0.1:{self.server.server_port}"
        self.url = proxy_url
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _wrong_audience(claims, key, _other):
    return {**claims, "aud": "another-client"}, key


def _expired(claims, key, _other):
    return {**claims, "iat": claims["iat"] - 7200, "exp": claims["iat"] - 3600}, key


def _other_key(claims, _key, other):
    return claims, other


def _untouched(claims, key, _other):
    return claims, key


@pytest.mark.parametrize(
    ("tamper", "signs_in"),
    [(_untouched, True), (_wrong_audience, False), (_expired, False), (_other_key, False)],
    ids=["untouched", "wrong audience", "expired", "bad signature"],
)
def test_a_forged_or_stale_id_token_signs_no_one_in(app, provider, tamper, signs_in):
    from portal.accounts import oidc

    proxy = TamperingProxy(provider, tamper)
    try:
        # The portal discovers the provider through the proxy; the issuer stays the provider's.
        app.config["OIDC_PROVIDERS"]["brand"]["discovery_url"] = (
            f"{proxy.url}/.well-known/openid-configuration"
        )
        oidc.register(app)
        client = app.test_client()
        done = _sign_in(client, "ada")
        identities = db.session.scalar(db.select(db.func.count()).select_from(ExternalIdentity))
        assert identities == (1 if signs_in else 0), done.location
        if not signs_in:
            assert "/login" in done.location
            page = client.get(done.location).get_data(as_text=True)
            assert "did not work" in page
            assert client.get("/settings").status_code == 302
    finally:
        proxy.close()


def test_admins_add_a_provider_whose_secret_is_never_shown_again(app):
    partner = start_provider(
        ["http://localhost/login/sso/partner/callback"], {"lin": {"email": "lin@partner.example"}}
    )
    try:
        admin = factories.make_user(Role.ADMIN)
        client = client_for(app, admin)
        added = client.post(
            "/admin/sso",
            data={
                "name": "partner",
                "label": "Partner ID",
                "issuer": partner.issuer,
                "client_id": "portal",
                "client_secret": "portal-test-secret",
            },
        )
        assert added.status_code == 302, added.get_data(as_text=True)
        page = client.get("/admin/sso").get_data(as_text=True)
        assert "http://localhost/login/sso/partner/callback" in page
        assert "portal-test-secret" not in page
        assert "Sign in with Partner ID" in app.test_client().get("/login").get_data(as_text=True)

        from portal.accounts.models import SsoProvider

        row = db.session.scalars(db.select(SsoProvider)).one()
        edit = client.get(f"/admin/sso/{row.id}").get_data(as_text=True)
        assert "portal-test-secret" not in edit
        client.post(
            f"/admin/sso/{row.id}",
            data={"label": "Partner", "issuer": partner.issuer, "client_id": "portal"},
        )
        db.session.expire_all()
        assert db.session.get(SsoProvider, row.id).client_secret == "portal-test-secret"

        visitor = app.test_client()
        start = visitor.get("/login/sso/partner")
        back = sign_in_at_provider(
            start.location, "lin", until="http://localhost/login/sso/partner/callback"
        )
        visitor.get(back.removeprefix("http://localhost"))
        identity = db.session.scalars(db.select(ExternalIdentity)).one()
        assert identity.provider == "partner"

        refused = client.post(
            "/admin/sso",
            data={"name": "Bad Name!", "label": "x", "issuer": "nope", "client_id": "x"},
        )
        assert "lowercase letters" in refused.get_data(as_text=True)
        assert client_for(app, factories.make_user()).get("/admin/sso").status_code == 403
    finally:
        partner.stop()
