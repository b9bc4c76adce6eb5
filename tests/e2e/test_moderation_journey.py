"""Moderation in a browser: a new member's link-filled answer waits in the queue, a community
manager marks it spam and the member sees why they are suspended; members flag a rude answer
until it hides, its author edits it, a moderator approves it; the log shows all of it."""

from playwright.sync_api import expect

from portal.moderation.trust import NEW
from tests.e2e.conftest import log_in_as, log_out

SPAM = "Cheap watches: " + " ".join(f"https://watches.example/{n}" for n in range(5))
RUDE = "Only an idiot would ask this, read the manual before wasting our time."


def _flag_as_rude(page):
    answer = page.locator(".post--answer").first
    answer.locator("summary.post__action", has_text="Flag").click()
    answer.get_by_label("Rude or abusive").check()
    answer.get_by_role("button", name="Flag", exact=True).click()


def test_spam_held_and_removed_and_a_rude_answer_flagged_edited_and_approved(
    live_server, page, make_user, make_area
):
    from tests.factories import make_answer, make_question

    question = make_question(author=make_user(display_name="Asker"), area=make_area())
    newcomer = make_user(display_name="Newcomer Nick", trust_level=NEW)
    rude = make_user(display_name="Rude Rita")
    make_answer(question, author=rude, body=RUDE)
    flaggers = [make_user(display_name=f"Flagger {n}") for n in range(3)]
    manager = make_user("manager", display_name="Manager Mia")
    question_url = f"{live_server}/questions/{question.id}"

    # A new member's link-filled answer waits for review, seen by its author alone.
    log_in_as(page, live_server, newcomer)
    page.goto(question_url)
    page.get_by_label("Write your answer").fill(SPAM)
    page.get_by_role("button", name="Post your answer").click()
    expect(page.get_by_text("waits for a moderator’s review")).to_be_visible()
    expect(page.get_by_text("Waiting for review.")).to_be_visible()
    log_out(page)

    # Members flag the rude answer: the third flag hides it.
    for flagger in flaggers:
        log_in_as(page, live_server, flagger)
        page.goto(question_url)
        expect(page.get_by_text("Cheap watches")).to_have_count(0)
        _flag_as_rude(page)
        expect(page.get_by_text("Thanks")).to_be_visible()
        log_out(page)
    page.goto(question_url)
    expect(page.get_by_text("Only an idiot")).to_have_count(0)

    # The manager marks the spam, from the queue, with the keyboard.
    log_in_as(page, live_server, manager)
    expect(page.locator(".count-badge").first).to_be_visible()
    page.goto(f"{live_server}/moderation")
    spam_item = page.locator(".review-item", has_text="Cheap watches")
    expect(spam_item.get_by_text("Spam suspect")).to_be_visible()
    expect(spam_item).to_contain_text("5 links")
    spam_item.get_by_role("button", name="Spam").click()
    expect(page.get_by_text("Removed as spam")).to_be_visible()
    log_out(page)

    # The spammer sees why they are suspended.
    log_in_as(page, live_server, newcomer)
    expect(page.get_by_text("Your account is suspended: Posting spam")).to_be_visible()
    log_out(page)

    # The rude answer's author edits it; the manager approves the edit.
    log_in_as(page, live_server, rude)
    page.goto(question_url)
    expect(page.get_by_text("Hidden.", exact=True)).to_be_visible()
    page.locator(".post--answer").first.get_by_role("link", name="Edit").click()
    page.get_by_label("Your answer").fill("The export chapter of the manual covers this, step 3.")
    page.get_by_role("button", name="Save").click()
    log_out(page)
    log_in_as(page, live_server, manager)
    page.goto(f"{live_server}/moderation")
    item = page.locator(".review-item", has_text="export chapter")
    item.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved: everyone sees it.")).to_be_visible()
    page.goto(f"{live_server}/moderation/log")
    log = page.locator("main")
    for action in ("spam", "suspend", "auto hide", "approve"):
        expect(log).to_contain_text(action)
    log_out(page)
    page.goto(question_url)
    expect(page.get_by_text("The export chapter of the manual")).to_be_visible()
