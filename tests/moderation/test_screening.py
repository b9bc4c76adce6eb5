"""Screening new posts: a new member's first posts and spam suspects wait for a moderator, seen
by their author alone; approval brings the counts, activity and notifications a live post
brings; "spam" removes the post, teaches the filter and suspends its author."""

import pytest

from portal.activity.models import ActivityEvent
from portal.extensions import db
from portal.ideas.models import Idea
from portal.moderation.models import ModerationLogEntry, ReviewItem
from portal.moderation.spam_models import SpamExample
from portal.moderation.trust import BASIC, NEW
from portal.notifications.models import Notification
from portal.search.indexer import apply_pending
from portal.support.models import Answer, Comment, Question
from tests.conftest import client_for
from tests.factories import make_question

ANSWER = "Open Settings, then Billing, and choose Download as PDF next to each invoice zqvx."
LINKS = " ".join(f"https://cheap-pills-{n}.example/buy now" for n in range(6))


@pytest.fixture
def people(app, make_user):
    return {
        "asker": make_user(display_name="Asker"),
        "newcomer": make_user(display_name="Newcomer", trust_level=NEW),
        "basic": make_user(display_name="Basic", trust_level=BASIC),
        "reader": make_user(display_name="Reader"),
        "manager": make_user("manager", display_name="Manager"),
        "staff": make_user("staff", display_name="Staff"),
    }


def _count(model, *where) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def _answer(app, user, question_id, body=ANSWER, **extra):
    return client_for(app, user).post(
        f"/questions/{question_id}/answers", data={"body": body, **extra}, follow_redirects=True
    )


def test_a_new_members_first_answer_waits_and_approval_publishes_it(app, people):
    question = make_question(author=people["asker"], title="How do I get my invoices as PDF?")
    page = _answer(app, people["newcomer"], question.id).get_data(as_text=True)
    assert "waits for a moderator’s review" in page and ANSWER in page
    db.session.expire_all()
    answer = db.session.scalars(db.select(Answer)).one()
    assert answer.review_state == "pending"
    assert db.session.get(Question, question.id).answer_count == 0
    asker_told = (Notification.user_id == people["asker"].id, Notification.kind == "answer.posted")
    assert _count(Notification, *asker_told) == 0
    assert _count(ActivityEvent, ActivityEvent.kind == "answer.posted") == 0
    apply_pending()
    for viewer in (None, people["reader"], people["asker"]):
        client = client_for(app, viewer)
        assert ANSWER not in client.get(f"/questions/{question.id}").get_data(as_text=True)
        assert "invoices as PDF" not in client.get("/search?q=zqvx").get_data(as_text=True)
    assert ANSWER in client_for(app, people["staff"]).get(f"/questions/{question.id}").get_data(
        as_text=True
    )

    item = db.session.scalars(db.select(ReviewItem)).one()
    assert (item.reason, item.kind, item.post_id) == ("held", "answer", answer.id)
    queue = client_for(app, people["manager"]).get("/moderation").get_data(as_text=True)
    assert "First post" in queue and "first posts wait for review" in queue

    client_for(app, people["manager"]).post(f"/moderation/items/{item.id}/approve")
    db.session.expire_all()
    assert db.session.get(Answer, answer.id).review_state is None
    assert db.session.get(Question, question.id).answer_count == 1
    assert _count(Notification, *asker_told) == 1
    assert _count(ActivityEvent, ActivityEvent.kind == "answer.posted") == 1
    apply_pending()
    found = client_for(app, people["reader"]).get("/search?q=zqvx").get_data(as_text=True)
    assert "invoices as PDF" in found


def test_after_two_approved_posts_a_new_members_posts_appear_at_once(app, people):
    question = make_question(author=people["asker"])
    manager = client_for(app, people["manager"])
    for n in range(2):
        _answer(app, people["newcomer"], question.id, body=f"{ANSWER} Step {n}.")
        item = db.session.scalars(db.select(ReviewItem).where(ReviewItem.closed_at.is_(None))).one()
        manager.post(f"/moderation/items/{item.id}/approve")
    _answer(app, people["newcomer"], question.id, body=f"{ANSWER} One more thing.")
    db.session.expire_all()
    assert _count(Answer, Answer.review_state.is_not(None)) == 0
    assert db.session.get(Question, question.id).answer_count == 3


def test_a_spam_suspect_waits_and_marking_it_spam_suspends_and_teaches(app, people):
    question = make_question(author=people["asker"])
    _answer(app, people["basic"], question.id, body=f"Best deals here {LINKS}")
    item = db.session.scalars(db.select(ReviewItem)).one()
    assert item.reason == "spam" and "6 links" in item.detail
    answer_id = item.post_id

    response = client_for(app, people["manager"]).post(
        f"/moderation/items/{item.id}/spam", follow_redirects=True
    )
    assert "Removed as spam" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Answer, answer_id).is_deleted
    spammer = db.session.get(type(people["basic"]), people["basic"].id)
    assert spammer.is_suspended
    example = db.session.scalars(db.select(SpamExample)).one()
    assert example.is_spam and "cheap-pills" in example.text
    actions = [
        e.action
        for e in db.session.scalars(db.select(ModerationLogEntry).order_by(ModerationLogEntry.id))
    ]
    assert actions == ["spam", "suspend"]
    # Suspended: they may no longer post.
    assert _answer(app, spammer, question.id, body=ANSWER).status_code == 403


def test_a_filled_honeypot_holds_the_post_as_spam(app, people, make_area):
    area = make_area()
    client = client_for(app, people["reader"])  # a member: unscored, unless the honeypot says so
    response = client.post(
        "/questions/ask",
        data={
            "title": "Where can I change the language of the app?",
            "body": "I cannot find the language setting anywhere in the menus.",
            "area": area.slug,
            "tags": "",
            "website": "http://bot.example",
        },
    )
    assert response.status_code == 302
    item = db.session.scalars(db.select(ReviewItem)).one()
    assert item.reason == "spam" and "honeypot" in item.detail
    assert db.session.get(Question, item.post_id).review_state == "pending"


def test_the_team_is_never_held(app, people):
    question = make_question(author=people["asker"])
    staff = people["staff"]
    staff.trust_level = NEW
    db.session.commit()
    _answer(app, staff, question.id, body=f"See these pages: {LINKS}")
    assert _count(ReviewItem) == 0
    assert _count(Answer, Answer.review_state.is_(None)) == 1


def test_a_new_members_comment_and_idea_wait_and_are_announced_on_approval(app, people):
    question = make_question(author=people["asker"])
    client_for(app, people["newcomer"]).post(
        f"/questions/{question.id}/comments",
        data={f"question-{question.id}-body": "Which plan are you on? It matters here."},
    )
    client_for(app, people["newcomer"]).post(
        "/ideas/new", data={"title": "Export invoices as a single ZIP file", "description": "x"}
    )
    db.session.expire_all()
    comment = db.session.scalars(db.select(Comment)).one()
    idea = db.session.scalars(db.select(Idea)).one()
    assert comment.review_state == idea.review_state == "pending"
    assert db.session.get(Question, question.id).comment_count == 0
    assert "ZIP file" not in client_for(app, people["reader"]).get("/ideas?sort=new").get_data(
        as_text=True
    )
    assert _count(ActivityEvent, ActivityEvent.kind == "idea.suggested") == 0
    manager = client_for(app, people["manager"])
    for item in db.session.scalars(db.select(ReviewItem)).all():
        manager.post(f"/moderation/items/{item.id}/approve")
    db.session.expire_all()
    assert db.session.get(Question, question.id).comment_count == 1
    assert _count(ActivityEvent, ActivityEvent.kind == "idea.suggested") == 1
    assert _count(Notification, Notification.kind == "comment.posted") == 1
    assert "ZIP file" in client_for(app, people["reader"]).get("/ideas?sort=new").get_data(
        as_text=True
    )


def test_a_new_members_post_with_too_many_links_waits_even_when_not_spam(app, people):
    from datetime import timedelta

    from portal.clock import utcnow
    from tests.factories import make_answer

    question = make_question(author=people["asker"])
    newcomer = people["newcomer"]
    newcomer.created_at = utcnow() - timedelta(days=3)  # not a fresh account
    for n in range(2):  # past their first posts
        make_answer(question, author=newcomer, body=f"An earlier helpful answer, number {n}.")
    three = "See https://docs.example/a, https://docs.example/b and https://docs.example/c."
    _answer(app, newcomer, question.id, body=three)
    item = db.session.scalars(db.select(ReviewItem)).one()
    assert item.reason == "held" and item.detail == "3 links, where a new member may post 2"


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_new_members_post_less_often(app, people):
    question = make_question(author=people["asker"])
    statuses = [
        _answer(app, people["newcomer"], question.id, body=f"{ANSWER} Try {n}.").status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    member = [
        _answer(app, people["reader"], question.id, body=f"{ANSWER} Also {n}.").status_code
        for n in range(4)
    ]
    assert member == [200] * 4
