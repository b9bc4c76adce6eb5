"""A customer signs in with the brand's account in a real browser, through a real OpenID
provider's own pages on loopback, accepts the guidelines and is a member of the community."""

import pytest
from playwright.sync_api import expect

from portal.accounts import oidc
from tests.oidc import node_available, start_provider

pytestmark = pytest.mark.skipif(not node_available(), reason="npm ci in tests/oidc first")


def test_a_customer_signs_in_through_the_providers_pages(app, live_server, page):
    provider = start_provider(
        [f"{live_server}/login/sso/brand/callback"],
        {"grace": {"email": "grace@acme.example", "email_verified": True, "name": "Grace Hopper"}},
    )
    try:
        app.config["OIDC_PROVIDERS"] = provider.config()
        oidc.register(app)
        page.goto(f"{live_server}/login")
        page.get_by_role("link", name="Sign in with Acme ID").click()
        page.get_by_placeholder("Enter any login").fill("grace")
        page.get_by_placeholder("and password").fill("any password")
        page.get_by_role("button", name="Sign-in").click()
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="Welcome to")).to_be_visible()
        page.get_by_role("button", name="I accept the guidelines").click()
        expect(page.get_by_text("Grace Hopper").first).to_be_visible()
        page.goto(f"{live_server}/settings/sso")
        expect(page.get_by_text("Linked (grace@acme.example)")).to_be_visible()
    finally:
        provider.stop()
