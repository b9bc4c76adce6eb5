"""A member stops a kind of mail from the link in a mail, then turns another kind down in
their notification settings, in a real browser; no further mail of either kind arrives."""

import re

from playwright.sync_api import expect

from tests import factories
from tests.conftest import client_for
from tests.e2e.conftest import log_in_as


def _answer(app, question, body):
    client_for(app, factories.make_user()).post(
        f"/questions/{question.id}/answers", data={"body": body}
    )


def _comment(app, question, body):
    client_for(app, factories.make_user()).post(
        f"/questions/{question.id}/comments", data={f"question-{question.id}-body": body}
    )


def test_unsubscribe_link_and_settings_stop_mail_of_their_kind(
    app, live_server, page, mailbox, worker_pass
):
    asker = factories.make_user(display_name="Asker Ada")
    question = factories.make_question(asker, title="Brake lever feels spongy after a bleed")
    _answer(app, question, "There is still air in the caliper: bleed it from the bottom up.")
    worker_pass()
    mail = mailbox.wait_for(asker.email)
    link = re.fullmatch(r"<(.+)>", mail["List-Unsubscribe"]).group(1)
    assert link.startswith(live_server)

    page.goto(link)
    expect(page.get_by_role("heading", name="Stop this kind of mail?")).to_be_visible()
    page.get_by_role("button", name="Stop this mail").click()
    expect(page.get_by_role("heading", name="Done: no more of this mail")).to_be_visible()

    mailbox.clear()
    _answer(app, question, "Check the lever's reservoir level too, it may be low on fluid.")
    worker_pass()
    assert mailbox.to(asker.email) == []

    log_in_as(page, live_server, asker)
    page.goto(f"{live_server}/settings/notifications")
    expect(page.get_by_label("Answers to my questions")).to_have_value("app")  # the link's doing
    page.get_by_label("Comments on my questions, answers and ideas").select_option("app")
    page.get_by_role("button", name="Save notification settings").click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()

    _comment(app, question, "Which brand of brakes are these, and which fluid?")
    worker_pass()
    assert mailbox.to(asker.email) == []
    page.goto(f"{live_server}/notifications")
    expect(page.get_by_text(re.compile("commented on your question"))).to_be_visible()
