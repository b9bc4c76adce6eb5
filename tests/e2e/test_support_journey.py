from playwright.sync_api import expect

from tests.e2e.conftest import log_in_as, log_out


def test_ask_answer_accept_and_get_notified(live_server, page, make_user, make_area):
    asker = make_user(display_name="Asker Anna")
    helper = make_user(display_name="Helper Ben")
    make_area("Billing", slug="billing")

    log_in_as(page, live_server, asker)
    page.get_by_role("link", name="Questions").click()
    page.get_by_role("link", name="Ask a question").first.click()
    page.get_by_label("Title").fill("Too short")
    page.get_by_role("button", name="Post your question").click()
    expect(page.get_by_text("Use 15 to 200 characters.")).to_be_visible()
    page.get_by_label("Title").fill("How do I download all invoices for last year?")
    page.get_by_label("Details").fill("Our accountant needs every 2025 invoice as PDF files.")
    page.get_by_label("Product area").select_option(label="Billing")
    page.get_by_label("Tags").fill("invoices, pdf")
    page.get_by_role("button", name="Post your question").click()
    expect(page.get_by_text("Your question is posted.")).to_be_visible()
    question_url = page.url
    log_out(page)

    log_in_as(page, live_server, helper)
    page.goto(question_url)
    page.get_by_role("button", name="Upvote this question").click()
    expect(page.locator("#question [data-vote-score]")).to_contain_text("1")
    expect(page.get_by_role("button", name="Upvote this question")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.get_by_label("Write your answer").fill(
        "Open Billing → Invoices, filter by 2025 and press Download all (ZIP)."
    )
    page.get_by_role("button", name="Post your answer").click()
    expect(page.get_by_text("Your answer is posted.")).to_be_visible()
    log_out(page)

    log_in_as(page, live_server, asker)
    expect(page.locator(".count-badge")).to_contain_text("1")
    page.get_by_role("link", name="Notifications").click()
    page.get_by_role("button", name="Helper Ben answered your question").click()
    expect(page.get_by_text("Download all (ZIP)")).to_be_visible()
    page.get_by_role("button", name="✓ Accept this answer").click()
    expect(page.get_by_text("Answer accepted.")).to_be_visible()
    first_answer = page.locator(".post--answer").first
    expect(first_answer).to_have_class("post post--answer post--accepted")
    expect(first_answer.get_by_text("Accepted answer")).to_be_visible()
    expect(first_answer).to_contain_text("Download all (ZIP)")
    expect(page.locator(".qa__meta .pill--solved")).to_contain_text("Solved")


def test_keyboard_alone_can_vote_and_no_vote_is_offered_on_ones_own(
    live_server, page, make_user, make_area
):
    from tests.factories import make_question

    author, voter = make_user(), make_user()
    question = make_question(author=author, area=make_area())
    log_in_as(page, live_server, voter)
    page.goto(f"{live_server}/questions/{question.id}")
    upvote = page.get_by_role("button", name="Upvote this question")
    upvote.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#question [data-vote-score]")).to_contain_text("1")
    expect(upvote).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Enter")  # pressing the highlighted arrow again withdraws the vote
    expect(page.locator("#question [data-vote-score]")).to_contain_text("0")
    log_out(page)

    log_in_as(page, live_server, author)
    page.goto(f"{live_server}/questions/{question.id}")
    expect(page.locator("#question .vote__score")).to_contain_text("0")
    expect(page.get_by_role("button", name="Upvote this question")).to_have_count(0)


def test_a_form_in_shared_content_leaves_with_the_layouts_token(live_server, page, make_user):
    """Forms in content kept for many members carry no token (the browser's Sec-Fetch-Site
    vouches for them); for a browser that does not send it, portal.js adds the member's token
    from the layout as the form leaves."""
    from tests.factories import make_question

    question = make_question(make_user(), title="Brake pads squeal in the rain")
    log_in_as(page, live_server, make_user(display_name="Helper Cleo"))
    page.goto(f"{live_server}/questions/{question.id}")
    form = page.locator("form", has=page.get_by_label("Write your answer"))
    expect(form.locator('input[name$="csrf_token"]')).to_have_count(0)
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    form.evaluate(
        """form => form.addEventListener("submit", () => sessionStorage.setItem(
            "sent", new FormData(form).get("csrf_token")))"""
    )
    page.get_by_label("Write your answer").fill("Clean the rims and sand the pads lightly.")
    page.get_by_role("button", name="Post your answer").click()
    expect(page.get_by_text("Your answer is posted.")).to_be_visible()
    assert token and page.evaluate('sessionStorage.getItem("sent")') == token
