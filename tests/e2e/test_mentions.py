"""A member mentions another from the answer editor's "@" autocomplete, in a real browser; the
posted answer links the name and the member hears about it."""

import re

from playwright.sync_api import expect

from portal.extensions import db
from portal.notifications.models import Notification
from tests import factories
from tests.e2e.conftest import log_in_as


def test_mention_a_member_with_the_keyboard(app, live_server, page):
    casey = factories.make_user(display_name="Casey Fischer")
    question = factories.make_question(title="Offline edits vanish after sync")
    log_in_as(page, live_server, factories.make_user(display_name="Helpful Hana"))
    page.goto(f"{live_server}/questions/{question.id}")
    editor = page.get_by_label("Write your answer")
    editor.press_sequentially("Same for me. @Cas", delay=30)
    option = page.get_by_role("option", name="Casey Fischer")
    expect(option).to_be_visible()
    expect(editor).to_have_attribute("aria-activedescendant", re.compile(r"^mentions-\d+-0$"))
    editor.press("Enter")
    expect(editor).to_have_value("Same for me. @Casey_Fischer ")
    editor.press_sequentially("did 5.4 fix it for you?")
    page.get_by_role("button", name="Post your answer").click()
    link = page.get_by_role("link", name="@Casey_Fischer")
    expect(link).to_have_attribute("href", f"/users/{casey.id}")
    db.session.expire_all()
    kinds = db.session.scalars(
        db.select(Notification.kind).where(Notification.user_id == casey.id)
    ).all()
    assert kinds == ["mention.answer"]
