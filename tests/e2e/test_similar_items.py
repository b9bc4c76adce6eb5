from playwright.sync_api import expect

from portal.search.index import searchers
from portal.search.indexer import apply_pending
from tests.factories import PASSWORD, make_question


def test_ask_form_suggests_similar_questions_while_typing(live_server, page, make_user, make_area):
    area = make_area("Billing", slug="billing")
    existing = make_question(title="Invoices show the wrong VAT number after moving", area=area)
    apply_pending()
    searchers().close()
    member = make_user(email="asker@example.com")

    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server}/questions/ask")
    page.get_by_label("Title").press_sequentially("wrong VAT number on invoices", delay=20)
    panel = page.locator("#similar-items")
    expect(panel.get_by_role("heading", name="Similar questions and ideas")).to_be_visible()
    link = panel.get_by_role("link", name=existing.title)
    expect(link).to_have_attribute("href", f"/questions/{existing.id}/{existing.slug}")
    link.focus()
    expect(link).to_be_focused()
