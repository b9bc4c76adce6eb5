import re

from playwright.sync_api import expect

from portal.accounts.models import User
from portal.extensions import db
from tests.mailbox import body_of


def test_register_confirm_log_out_log_in_and_see_profile(live_server, page, mailbox, worker_pass):
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Join", exact=True).click()
    page.get_by_label("Display name").fill("Browser Person")
    page.get_by_label("Email").fill("browser@example.com")
    page.get_by_label("Password").fill("a browser password")
    page.get_by_label("I have read and accept").check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    worker_pass()

    link = re.search(r"(http://\S+/confirm/\S+)", body_of(mailbox.wait_for("browser@example.com")))
    page.goto(link.group(1))
    expect(page.get_by_text("Welcome, Browser Person!")).to_be_visible()

    page.locator("summary.menu__button").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()

    page.get_by_role("link", name="Log in", exact=True).click()
    page.get_by_label("Email").fill("browser@example.com")
    page.get_by_label("Password").fill("a browser password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Welcome back, Browser Person.")).to_be_visible()

    page.locator("summary.menu__button").click()
    page.get_by_role("link", name="Your profile").click()
    expect(page.get_by_role("heading", name="Browser Person")).to_be_visible()
    expect(page.get_by_text("Joined the community")).to_be_visible()
    assert db.session.execute(db.select(User.email)).scalar_one() == "browser@example.com"


def test_registration_errors_show_beside_fields_and_keep_input(live_server, page):
    page.goto(f"{live_server}/register")
    page.get_by_label("Display name").fill("Keeps Me")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Enter an email address like name@example.com.")).to_be_visible()
    expect(page.get_by_text("You need to accept the community guidelines")).to_be_visible()
    expect(page.get_by_label("Display name")).to_have_value("Keeps Me")
