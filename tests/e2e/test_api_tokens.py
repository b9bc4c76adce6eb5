"""A member makes an API token in a real browser, copies it from the page, calls the API with
it, and revokes it; the API then refuses it."""

import json
import urllib.error
import urllib.request

from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import log_in_as


def _me(live_server: str, secret: str) -> int:
    request = urllib.request.Request(
        f"{live_server}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.load(response)["display_name"] == "Token Tess"
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_member_makes_uses_and_revokes_a_token(live_server, page):
    member = factories.make_user(display_name="Token Tess")
    log_in_as(page, live_server, member)
    page.goto(f"{live_server}/settings")
    page.get_by_role("link", name="Manage API tokens").click()
    page.get_by_label("Token name").fill("Helpdesk sync")
    page.get_by_label("write: Ask, answer").check()
    page.get_by_role("button", name="Make token").click()
    expect(page.get_by_role("heading", name="Copy your new token now")).to_be_visible()
    secret = page.get_by_label("Your new token").input_value()
    assert secret.startswith("cpat_")
    assert _me(live_server, secret) == 200

    row = page.get_by_role("row", name="Helpdesk sync")
    expect(row).to_contain_text("read, write")
    page.reload()
    expect(page.get_by_label("Your new token")).to_have_count(0)  # shown once
    page.get_by_role("button", name="Revoke Helpdesk sync").click()
    expect(page.get_by_text("it no longer works")).to_be_visible()
    assert _me(live_server, secret) == 401
