"""Personal access tokens: made in settings and shown once, kept as a hash, revoked at once,
and checked on every call against their owner as they are now."""

import re

from portal.accounts.api_tokens import authenticate, create_token, secret_hash
from portal.accounts.models import ApiToken, Role
from portal.clock import utcnow
from portal.extensions import db
from tests import factories
from tests.conftest import client_for


def _make(user, scopes=("read",), lifetime="90", name="Helpdesk sync"):
    token, secret = create_token(user, name=name, scopes=list(scopes), lifetime=lifetime)
    db.session.commit()
    return token, secret


def test_a_member_makes_a_token_that_is_shown_once_and_kept_as_a_hash(app):
    member = factories.make_user()
    client = client_for(app, member)
    page = client.post(
        "/settings/tokens",
        data={"name": "Helpdesk sync", "scopes": ["read", "write"], "lifetime": "30"},
    )
    assert page.status_code == 302
    shown = client.get("/settings/tokens")
    assert "no-store" in shown.headers["Cache-Control"]
    secret = re.search(r'value="(cpat_[\w-]+)"', shown.get_data(as_text=True)).group(1)
    token = db.session.scalars(db.select(ApiToken)).one()
    assert token.secret_hash == secret_hash(secret) and secret not in token.prefix
    assert token.scopes == "read write" and token.user_id == member.id
    assert 29 <= (token.expires_at - utcnow()).days <= 30
    again = client.get("/settings/tokens").get_data(as_text=True)
    assert secret not in again and token.prefix in again and "Helpdesk sync" in again
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json["id"] == member.id


def test_a_member_may_not_give_a_token_a_scope_of_the_team(app):
    member = factories.make_user()
    client = client_for(app, member)
    page = client.post(
        "/settings/tokens", data={"name": "x", "scopes": ["moderate"], "lifetime": "30"}
    )
    assert "You may not give a token the scope moderate." in page.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 0
    staff = factories.make_user(Role.STAFF)
    _token, secret = _make(staff, scopes=("read", "moderate"))
    assert authenticate(secret).scope_set == {"read", "moderate"}


def test_a_revoked_or_expired_token_signs_no_one_in(app):
    member = factories.make_user()
    token, secret = _make(member)
    other, other_secret = _make(member, name="Old")
    headers = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200
    response = client_for(app, member).post(f"/settings/tokens/{token.id}/revoke")
    assert response.status_code == 302
    gone = app.test_client().get("/api/v1/me", headers=headers)
    assert gone.status_code == 401 and gone.mimetype == "application/problem+json"
    assert 'error="invalid_token"' in gone.headers["WWW-Authenticate"]
    other.expires_at = utcnow()
    db.session.commit()
    expired = app.test_client().get(
        "/api/v1/me", headers={"Authorization": f"Bearer {other_secret}"}
    )
    assert expired.status_code == 401


def test_nobody_else_revokes_a_members_token(app):
    member, stranger = factories.make_user(), factories.make_user()
    token, secret = _make(member)
    assert client_for(app, stranger).post(f"/settings/tokens/{token.id}/revoke").status_code == 404
    assert authenticate(secret) is not None


def test_a_suspended_member_makes_no_token_and_theirs_may_only_read(app):
    member = factories.make_user()
    _token, secret = _make(member, scopes=("read", "write"))
    member.suspended_at = utcnow()
    db.session.commit()
    page = client_for(app, member).post(
        "/settings/tokens", data={"name": "More", "scopes": ["read"], "lifetime": "30"}
    )
    assert page.status_code == 403 and "suspended" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 1
    headers = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200


def test_the_last_use_is_noted_at_most_once_a_minute(app):
    member = factories.make_user()
    token, secret = _make(member)
    client = app.test_client()
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    db.session.expire_all()
    first = db.session.get(ApiToken, token.id).last_used_at
    assert first is not None
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at == first


def test_the_site_cookie_is_not_a_token(app):
    """A signed-in browser's cookie signs no one in to the API: no page elsewhere can make a
    member's browser call it as them."""
    member = factories.make_user()
    client = client_for(app, member)
    assert client.get("/settings").status_code == 200
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.json["status"] == 401
    bad = app.test_client().get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert bad.status_code == 401 and "Bearer" in bad.json["detail"]


def test_admins_make_integration_tokens_and_revoke_anyones(app):
    admin, member = factories.make_user(Role.ADMIN), factories.make_user()
    _token, member_secret = _make(member)
    client = client_for(app, admin)
    made = client.post(
        "/admin/tokens",
        data={"name": "Roadmap sync", "role": "product", "scopes": ["read", "insights"]},
    )
    assert made.status_code == 302
    page = client.get("/admin/tokens").get_data(as_text=True)
    secret = re.search(r'value="(cpat_[\w-]+)"', page).group(1)
    assert "Roadmap sync" in page and secret not in client.get("/admin/tokens").get_data(
        as_text=True
    )
    api = app.test_client()
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json
    assert (me["display_name"], me["role"]) == ("Roadmap sync", "product")
    figure = api.get("/api/v1/insights/top-ideas", headers={"Authorization": f"Bearer {secret}"})
    assert figure.status_code == 200

    refused = client.post(
        "/admin/tokens", data={"name": "Too much", "role": "member", "scopes": ["moderate"]}
    )
    assert "may not give a token the scope moderate" in refused.get_data(as_text=True)

    member_token = db.session.scalars(
        db.select(ApiToken).where(ApiToken.user_id == member.id)
    ).one()
    assert client.post(f"/admin/tokens/{member_token.id}/revoke").status_code == 302
    assert authenticate(member_secret) is None
    assert client_for(app, member).get("/admin/tokens").status_code == 403
