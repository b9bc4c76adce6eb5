from playwright.sync_api import expect

from portal.extensions import db
from portal.ideas.models import Idea
from tests.e2e.conftest import log_in
from tests.factories import make_area, make_user


def _log_in(page, live_server: str, email: str) -> None:
    log_in(page, live_server, email)
    expect(page.get_by_text("Welcome back")).to_be_visible()


def _log_out(page) -> None:
    page.locator("summary.menu__button").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()


def test_suggest_vote_plan_hear_about_it_and_see_it_on_the_roadmap(live_server, page, worker_pass):
    make_area("Reports", slug="reports")
    author = make_user(display_name="Ada Author")
    voter = make_user(display_name="Val Voter")
    product = make_user("product", display_name="Pat Product")

    # A member suggests an idea.
    _log_in(page, live_server, author.email)
    page.goto(f"{live_server}/ideas")
    page.get_by_role("link", name="Suggest an idea").click()
    page.get_by_label("Title").fill("Excel")
    page.get_by_role("button", name="Post idea").click()
    expect(page.get_by_text("Use 8 to 150 characters")).to_be_visible()
    page.get_by_label("Title").fill("Export reports to Excel")
    page.get_by_label("Description").fill("Finance needs **xlsx** files.")
    page.get_by_label("Product area").select_option(label="Reports")
    page.get_by_role("button", name="Post idea").click()
    expect(page.get_by_role("heading", name="Export reports to Excel")).to_be_visible()
    idea_url = page.url
    _log_out(page)

    # Another member votes from the board; the button updates in place.
    _log_in(page, live_server, voter.email)
    page.goto(f"{live_server}/ideas")
    vote = page.get_by_role("button", name="Vote for “Export reports to Excel”")
    expect(vote).to_have_attribute("aria-pressed", "false")
    vote.focus()
    page.keyboard.press("Enter")
    expect(vote).to_have_attribute("aria-pressed", "true")
    expect(vote.locator("[data-vote-count]")).to_have_text("2")
    assert db.session.execute(db.select(Idea.vote_count)).scalar_one() == 2
    _log_out(page)

    # The product team moves it to Planned with a public note.
    _log_in(page, live_server, product.email)
    page.goto(idea_url)
    page.get_by_label("New status").select_option(label="Planned")
    page.get_by_label("Public note").fill("Coming in the May release.")
    page.get_by_role("button", name="Update status").click()
    expect(page.get_by_text("Status changed to Planned; voters are notified.")).to_be_visible()
    worker_pass()  # the worker writes the voters' notifications
    _log_out(page)

    # The author hears about it, with the note.
    _log_in(page, live_server, author.email)
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_text("“Export reports to Excel” is now Planned")).to_be_visible()
    expect(page.get_by_text("Coming in the May release.")).to_be_visible()

    # And the roadmap shows it under Planned.
    page.get_by_role("link", name="Roadmap").click()
    planned = page.locator("section.roadmap__column--planned")
    expect(planned.get_by_role("link", name="Export reports to Excel")).to_be_visible()
    expect(page.locator("section.roadmap__column--in_progress")).to_contain_text("No ideas")
