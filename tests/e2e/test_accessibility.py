"""axe-core on every main page, as each kind of viewer sees it, at 1280 and 390 px: no serious
or critical violation. axe-core comes with axe-playwright-python (no download at run time)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from portal.demo import load_demo
from portal.extensions import db
from portal.search.indexer import apply_pending
from tests.e2e.conftest import CHROMIUM_ARGS  # noqa: F401  (the browser fixture's flags)

DEMO_PASSWORD = "demo password 1"
SEVERE = {"serious", "critical"}
# Moderate rules held too, because a person met them: headings that skip a level.
ALSO = {"heading-order"}

PAGES = {
    None: [
        "/",
        "/questions",
        "/ideas",
        "/roadmap",
        "/search?q=export",
        "/login",
        "/register",
        "/guidelines",
        "/announcements",
        "/password/forgot",
        "/api",
        "/polls",
        "{poll}",  # its results show after the close: the anonymous view
        "/changelog",
        "/leaderboard",
        "/badges",
        "/badges/helper",
        "{question}",
        "{idea}",
    ],
    "member@example.com": [
        "/",
        "/questions/ask",
        "/ideas/new",
        "/settings",
        "/notifications",
        "/settings/notifications",
        "/settings/tokens",
        "/events",
        "{event}",  # the full meetup: the waitlist choice
        "{ama}",  # its questions and the form to ask
        "/questions?tag=sync",  # what the member follows: the control in the header
        "{question}",
        "{idea}",
        "{member_profile}",
        "{poll}",  # the ballot form, then the results
    ],
    "staff@example.com": [
        "/questions/unanswered",
        "{question}",
        "{close}",  # with the originals it offers
        "/announcements/new",
        "/events/new",
    ],
    "product@example.com": [
        "/insights",
        "/insights/report",
        "{idea}",
        "/polls/new",
        "/changelog/new",
    ],
    "manager@example.com": [
        "/moderation",
        "/moderation/duplicates",
        "/moderation/log",
        "/admin/guidelines",
        "{member_profile}",
    ],
    "admin@example.com": [
        "/admin/users",
        "/admin/brand",
        "/admin/areas",
        "/admin/plans",
        "/admin/statuses",
        "/admin/webhooks",
        "/admin/tokens",
        "/admin/sso",
    ],
}


@pytest.fixture
def demo(app):
    load_demo()
    db.session.commit()
    from portal.accounts.models import User
    from portal.ideas.models import Idea
    from portal.moderation.services import flag_post
    from portal.support.models import Answer, Question

    question = db.session.scalars(db.select(Question).order_by(Question.id)).first()
    idea = db.session.scalars(db.select(Idea).order_by(Idea.id)).first()
    member = db.session.scalars(db.select(User).where(User.email == "member@example.com")).one()
    # Something in the review queue: a flagged answer, with its flag and author.
    answer = db.session.scalars(
        db.select(Answer).where(Answer.author_id != member.id).order_by(Answer.id)
    ).first()
    flag_post(member, "answer", answer.id, reason="rude", note="Name-calling in the second line")
    db.session.commit()
    apply_pending()  # the index and its vectors: similar items on the close and idea pages
    from portal.events.models import Event

    meetup = db.session.scalars(db.select(Event).where(Event.capacity.is_not(None))).first()
    ama = db.session.scalars(db.select(Event).where(Event.kind == "ama")).first()
    from portal.polls.models import Poll

    poll = db.session.scalars(db.select(Poll).order_by(Poll.id)).first()
    return {
        "poll": f"/polls/{poll.id}",
        "event": f"/events/{meetup.id}",
        "ama": f"/events/{ama.id}",
        "question": f"/questions/{question.id}",
        "close": f"/questions/{question.id}/close",
        "idea": f"/ideas/{idea.id}",
        "member_profile": f"/users/{member.id}",
    }


def _log_in(page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("width", [1280, 390])
def test_main_pages_have_no_serious_accessibility_violation(browser, live_server, demo, width):
    axe = Axe()
    found = []
    for viewer, urls in PAGES.items():
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        if viewer:
            _log_in(page, live_server, viewer)
        for url in urls:
            page.goto(live_server + url.format(**demo))
            page.wait_for_load_state("load")
            for violation in axe.run(page).response["violations"]:
                if violation["impact"] in SEVERE or violation["id"] in ALSO:
                    targets = [node["target"] for node in violation["nodes"]][:3]
                    found.append(
                        f"{viewer or 'anonymous'} {url} {violation['id']} "
                        f"({violation['impact']}, {len(violation['nodes'])}): {targets}"
                    )
        context.close()
    assert not found, "\n".join(found)
