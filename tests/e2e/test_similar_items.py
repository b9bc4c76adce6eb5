import pytest
from playwright.sync_api import expect

from portal.search.index import searchers
from portal.search.indexer import apply_pending
from tests.e2e.conftest import ARTIFACTS, log_in
from tests.factories import make_idea, make_question


@pytest.fixture
def app_config() -> dict:
    return {"SEARCH_SEMANTIC": True}  # the model, off for other tests (tests/conftest.py)


def test_ask_form_suggests_similar_questions_while_typing(live_server, page, make_user, make_area):
    area = make_area("Billing", slug="billing")
    existing = make_question(title="Invoices show the wrong VAT number after moving", area=area)
    apply_pending()
    searchers().close()
    member = make_user(email="asker@example.com")

    log_in(page, live_server, member.email)
    page.goto(f"{live_server}/questions/ask")
    page.get_by_label("Title").press_sequentially("wrong VAT number on invoices", delay=20)
    panel = page.locator("#similar-items")
    expect(panel.get_by_role("heading", name="Similar questions and ideas")).to_be_visible()
    link = panel.get_by_role("link", name=existing.title)
    expect(link).to_have_attribute("href", f"/questions/{existing.id}/{existing.slug}")
    link.focus()
    expect(link).to_be_focused()


def test_idea_form_suggests_similar_ideas_and_questions(live_server, page, make_user, make_area):
    area = make_area("Reports", slug="reports")
    idea = make_idea(title="Export reports to Excel spreadsheets", area=area)
    question = make_question(title="How do I export a report as a spreadsheet?", area=area)
    apply_pending()
    searchers().close()
    member = make_user(email="suggester@example.com")

    log_in(page, live_server, member.email)
    page.goto(f"{live_server}/ideas/new")
    page.get_by_label("Title").press_sequentially("export reports as spreadsheets", delay=20)
    panel = page.locator("#similar-items")
    expect(panel).to_have_attribute("aria-live", "polite")
    expect(panel.get_by_role("heading", name="Similar questions and ideas")).to_be_visible()
    expect(panel.get_by_role("link", name=idea.title)).to_have_attribute(
        "href", f"/ideas/{idea.id}"
    )
    expect(panel.get_by_role("link", name=question.title)).to_be_visible()
    # Keyboard: Tab from the title reaches the first suggestion.
    page.get_by_label("Title").focus()
    page.keyboard.press("Tab")
    expect(panel.get_by_role("link").first).to_be_focused()
    page.screenshot(path=str(ARTIFACTS / "idea-form-similar.png"), full_page=True)


def test_a_question_in_other_words_is_suggested_while_typing(
    live_server, page, make_user, make_area
):
    """No word in common: only the meaning finds it."""
    area = make_area("Accounts", slug="accounts")
    existing = make_question(
        title="Session expires overnight and I have to sign in again",
        body="Each day the portal forgets who I am.",
        area=area,
    )
    make_question(title="How do I export invoices as a spreadsheet?", area=area)
    apply_pending()
    searchers().close()
    member = make_user(email="rephraser@example.com")

    log_in(page, live_server, member.email)
    page.goto(f"{live_server}/questions/ask")
    page.get_by_label("Title").press_sequentially("app logs me out every morning", delay=20)
    panel = page.locator("#similar-items")
    expect(panel.get_by_role("link").first).to_have_text(existing.title)
    page.screenshot(path=str(ARTIFACTS / "ask-form-similar-by-meaning.png"), full_page=True)
