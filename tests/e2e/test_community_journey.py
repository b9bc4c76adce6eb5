"""The community journey of #29, in a browser: a community manager plans an AMA; two members
answer it, ask and vote up questions; staff answer; a product member publishes a changelog
entry that ships an idea linked to a question; its asker hears of it; the badges appear."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.clock import utcnow
from portal.extensions import db
from portal.ideas.models import Idea, IdeaStatus
from tests.e2e.conftest import ARTIFACTS, log_in_as, log_out
from tests.factories import make_area, make_idea, make_user


@pytest.mark.parametrize("app_config", [{"BADGES": True}])
def test_an_ama_then_a_changelog_that_closes_the_loop(live_server, page, worker_pass):
    make_area("Mobile app", slug="mobile-app")
    manager = make_user("manager", display_name="Mia Manager")
    asker = make_user(display_name="Ann Asker")
    voter = make_user(display_name="Vic Voter")
    staff = make_user("staff", display_name="Sam Staff")
    product = make_user("product", display_name="Pat Product")
    idea = make_idea(asker, title="Offline mode for the Android app")
    starts = (utcnow() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)

    # A community manager plans the AMA.
    log_in_as(page, live_server, manager)
    page.goto(f"{live_server}/events")
    page.get_by_role("link", name="Plan an event").click()
    page.get_by_label("Kind").select_option(label="Ask-Me-Anything session")
    page.get_by_label("Title").fill("AMA with the mobile team")
    page.get_by_label("Description").fill("Ask us **anything** about the apps.")
    page.get_by_label("Starts").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_label("Online link").fill("https://meet.example.com/ama")
    page.get_by_label("Product area").select_option(label="Mobile app")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="AMA with the mobile team")).to_be_visible()
    ama_url = page.url
    log_out(page)

    # Two members say they are going and ask; each votes up the other's question.
    questions = {
        asker: ("Will the Android app work offline on trains?", "We lose sync in tunnels."),
        voter: ("Can the iOS widget show unread counts?", "Like the mail widget does."),
    }
    for member, (title, details) in questions.items():
        log_in_as(page, live_server, member)
        page.goto(ama_url)
        page.get_by_label("Going", exact=True).check()
        page.get_by_role("button", name="Save my answer").click()
        expect(page.get_by_text("Saved: going.")).to_be_visible()
        page.get_by_label("Your question").fill(title)
        page.get_by_label("Details").fill(details)
        page.get_by_role("button", name="Ask", exact=True).click()
        expect(page.get_by_text("Your question is in.")).to_be_visible()
        log_out(page)
    for member, other in ((asker, voter), (voter, asker)):
        log_in_as(page, live_server, member)
        page.goto(ama_url)
        page.get_by_role("button", name=f"Vote up: {questions[other][0]}").click()
        expect(page.get_by_text("Vote counted.")).to_be_visible()
        expect(
            page.get_by_role("button", name=f"Take back your vote for: {questions[other][0]}")
        ).to_have_attribute("aria-pressed", "true")
        log_out(page)

    # Staff answer the offline question live, and link it to the idea.
    log_in_as(page, live_server, staff)
    page.goto(ama_url)
    page.get_by_role("link", name=questions[asker][0]).click()
    page.get_by_label("Write your answer").fill("Offline mode is coming: it syncs when back.")
    page.get_by_role("button", name="Post your answer").click()
    expect(page.get_by_text("Your answer is posted.")).to_be_visible()
    page.get_by_label("Link to idea").fill(f"#{idea.id}")
    page.get_by_role("button", name="Link", exact=True).click()
    expect(page.get_by_text("Linked to the idea")).to_be_visible()
    log_out(page)

    # A product member publishes the changelog entry that ships the idea.
    log_in_as(page, live_server, product)
    page.goto(f"{live_server}/changelog")
    page.get_by_role("link", name="Publish an entry").click()
    page.get_by_label("Title").fill("Android 5.2: offline mode")
    page.get_by_label("What changed").fill("Work on the train: changes sync when you are back.")
    page.get_by_label("Ideas it ships").fill(f"#{idea.id}")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published.")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == IdeaStatus.SHIPPED
    log_out(page)
    worker_pass()  # fan-outs, and the badges earned

    # The asker hears that the idea behind their question shipped, and has the badges.
    log_in_as(page, live_server, asker)
    page.goto(f"{live_server}/notifications")
    expect(page.get_by_text("“Offline mode for the Android app” has shipped")).to_be_visible()
    page.goto(f"{live_server}/users/{asker.id}")
    badges = page.locator("#badges")
    expect(badges).to_contain_text("Shipper")
    expect(badges).to_contain_text("Curious")
    page.screenshot(path=str(ARTIFACTS / "community-journey-badges.png"), full_page=True)
    page.goto(ama_url)
    page.screenshot(path=str(ARTIFACTS / "community-journey-ama.png"), full_page=True)
    expect(page.locator(".ama-questions")).to_contain_text("1 answer")
