"""Writing through the API: the pages' forms check the body, the pages' services make the
change, `can()` decides, and a token needs the write scope."""

import pytest

from portal.accounts.models import Role
from portal.clock import utcnow
from portal.extensions import db
from portal.ideas.models import Idea, IdeaQuestion, IdeaStatusChange
from portal.support.models import Answer, Comment, Question
from tests import factories
from tests.api import bearer
from tests.conftest import client_for

ASK = {
    "title": "Invoices show the wrong VAT number after a move",
    "body": "I changed my billing country last week and every invoice shows the old number.",
    "tags": "vat invoices",
}


@pytest.fixture
def api(app):
    return app.test_client()


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_asking_through_the_api_posts_as_the_tokens_owner(api):
    member, area = factories.make_user(), factories.make_area("Billing")
    response = api.post(
        "/api/v1/questions",
        json={**ASK, "area": area.slug},
        headers=bearer(member, "read", "write"),
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert response.headers["Location"] == f"/api/v1/questions/{body['id']}"
    assert body["author"]["id"] == member.id and set(body["tags"]) == {"vat", "invoices"}
    question = db.session.get(Question, body["id"])
    assert question.author_id == member.id and question.product_area_id == area.id


def test_a_write_needs_a_token_with_the_write_scope(app, api):
    member, area = factories.make_user(), factories.make_area()
    body = {**ASK, "area": area.slug}
    anonymous = api.post("/api/v1/questions", json=body)
    assert anonymous.status_code == 401 and anonymous.mimetype == "application/problem+json"
    read_only = api.post("/api/v1/questions", json=body, headers=bearer(member, "read"))
    assert read_only.status_code == 403
    assert 'error="insufficient_scope"' in read_only.headers["WWW-Authenticate"]
    # A signed-in browser's cookie is not a token: a page elsewhere cannot post as its member.
    browser = client_for(app, member)
    assert browser.post("/api/v1/questions", json=body).status_code == 401
    assert _count(Question) == 0


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"title": "Too short", "body": ASK["body"]}, "title", 422),
        ({"title": ASK["title"], "body": ""}, "body", 422),
        ({**ASK, "area": "no-such-area"}, "area", 422),
        ({**ASK, "title": "Invoices\x00 show the wrong VAT number"}, "title", 422),
    ],
)
def test_a_bad_body_gets_the_pages_messages_per_field(api, body, field, status):
    member = factories.make_user()
    factories.make_area()
    response = api.post("/api/v1/questions", json=body, headers=bearer(member, "write"))
    assert response.status_code == status and field in response.json["errors"], response.json
    assert _count(Question) == 0


@pytest.mark.parametrize("body", [["x"], {**ASK, "title": 12345}, {**ASK, "tags": {"a": 1}}])
def test_a_body_of_the_wrong_shape_is_refused_and_says_so(api, body):
    member = factories.make_user()
    factories.make_area()
    headers = bearer(member, "write")
    response = api.post("/api/v1/questions", json=body, headers=headers)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert response.json["detail"]
    assert api.post("/api/v1/questions", data="title=x", headers=headers).status_code == 415
    assert _count(Question) == 0


def test_a_suspended_owners_token_writes_nothing(api):
    member, area = factories.make_user(), factories.make_area()
    headers = bearer(member, "write")
    member.suspended_at = utcnow()
    db.session.commit()
    response = api.post("/api/v1/questions", json={**ASK, "area": area.slug}, headers=headers)
    assert response.status_code == 403 and "suspended" in response.json["detail"]
    assert _count(Question) == 0


def test_answer_accept_and_comment(api):
    asker, helper, stranger = factories.make_user(), factories.make_user(), factories.make_user()
    question = factories.make_question(author=asker)
    posted = api.post(
        f"/api/v1/questions/{question.id}/answers",
        json={"body": "Open Settings, then Billing, and set the new VAT number there."},
        headers=bearer(helper, "write"),
    )
    assert posted.status_code == 201 and posted.json["author"]["id"] == helper.id
    answer_id = posted.json["id"]
    refused = api.post(f"/api/v1/answers/{answer_id}/accept", headers=bearer(stranger, "write"))
    assert refused.status_code == 403
    accepted = api.post(f"/api/v1/answers/{answer_id}/accept", headers=bearer(asker, "write"))
    assert accepted.status_code == 200 and accepted.json["is_accepted"] is True
    db.session.expire_all()
    assert db.session.get(Question, question.id).is_solved
    withdrawn = api.delete(f"/api/v1/answers/{answer_id}/accept", headers=bearer(asker, "write"))
    assert withdrawn.status_code == 200 and withdrawn.json["is_accepted"] is False
    comment = api.post(
        f"/api/v1/answers/{answer_id}/comments",
        json={"body": "Thanks, that fixed it for me."},
        headers=bearer(asker, "write"),
    )
    assert comment.status_code == 201 and _count(Comment) == 1
    short = api.post(
        f"/api/v1/questions/{question.id}/comments",
        json={"body": "ok"},
        headers=bearer(asker, "write"),
    )
    assert short.status_code == 422 and "body" in short.json["errors"]
    assert (
        api.post("/api/v1/answers/999999/accept", headers=bearer(asker, "write")).status_code == 404
    )


def test_a_closed_question_takes_no_answer_and_one_votes_on_others_posts_only(api):
    asker, other = factories.make_user(), factories.make_user()
    question = factories.make_question(author=asker)
    own = api.post(
        f"/api/v1/questions/{question.id}/vote",
        json={"value": "up"},
        headers=bearer(asker, "write"),
    )
    assert own.status_code in (403, 409)
    voted = api.post(
        f"/api/v1/questions/{question.id}/vote",
        json={"value": "up"},
        headers=bearer(other, "write"),
    )
    assert voted.status_code == 200 and voted.json["my_vote"] == 1 and voted.json["score"] == 1
    bad = api.post(
        f"/api/v1/questions/{question.id}/vote",
        json={"value": "sideways"},
        headers=bearer(other, "write"),
    )
    assert bad.status_code == 422 and "value" in bad.json["errors"]
    question.closed_at = utcnow()
    db.session.commit()
    closed = api.post(
        f"/api/v1/questions/{question.id}/answers",
        json={"body": "Open Settings, then Billing, and set the new VAT number there."},
        headers=bearer(other, "write"),
    )
    assert closed.status_code == 409 and "closed" in closed.json["detail"]
    assert _count(Answer) == 0


def test_ideas_suggest_vote_and_withdraw(api):
    member, voter = factories.make_user(), factories.make_user()
    suggested = api.post(
        "/api/v1/ideas",
        json={"title": "Export invoices as CSV", "description": "For our accountants."},
        headers=bearer(member, "write"),
    )
    assert suggested.status_code == 201 and suggested.json["votes"] == 1
    idea_id = suggested.json["id"]
    headers = bearer(voter, "write")
    for _ in range(2):  # idempotent
        voted = api.put(f"/api/v1/ideas/{idea_id}/vote", headers=headers)
        assert voted.status_code == 200 and voted.json == {"voted": True, "votes": 2}
    withdrawn = api.delete(f"/api/v1/ideas/{idea_id}/vote", headers=headers)
    assert withdrawn.json == {"voted": False, "votes": 1}


def test_the_team_changes_a_status_votes_for_a_customer_and_links_a_question(api):
    voter, customer = factories.make_user(), factories.make_user(email="buyer@example.com")
    idea = factories.make_idea(author=voter)
    question = factories.make_question()
    member_try = api.post(
        f"/api/v1/ideas/{idea.id}/status",
        json={"status": "planned", "note": "Soon."},
        headers=bearer(factories.make_user(), "write"),
    )
    assert member_try.status_code == 403
    product = bearer(factories.make_user(Role.PRODUCT), "write")
    moved = api.post(
        f"/api/v1/ideas/{idea.id}/status",
        json={"status": "planned", "note": "On the roadmap for spring."},
        headers=product,
    )
    assert moved.status_code == 200 and moved.json["status"] == "planned"
    db.session.expire_all()
    change = db.session.scalars(
        db.select(IdeaStatusChange).order_by(IdeaStatusChange.id.desc()).limit(1)
    ).one()
    assert (change.to_status, change.note) == ("planned", "On the roadmap for spring.")
    bad = api.post(f"/api/v1/ideas/{idea.id}/status", json={"status": "merged"}, headers=product)
    assert bad.status_code == 422 and "status" in bad.json["errors"]
    behalf = api.post(
        f"/api/v1/ideas/{idea.id}/votes", json={"customer": "buyer@example.com"}, headers=product
    )
    assert behalf.status_code == 201 and behalf.json["votes"] == 2
    again = api.post(
        f"/api/v1/ideas/{idea.id}/votes", json={"customer": "buyer@example.com"}, headers=product
    )
    assert again.status_code == 409
    linked = api.post(
        f"/api/v1/questions/{question.id}/ideas", json={"idea": str(idea.id)}, headers=product
    )
    assert linked.status_code == 201 and linked.json["id"] == idea.id
    assert _count(IdeaQuestion) == 1
    assert customer.id


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}]
)
def test_writes_are_limited_per_token(app, api):
    app.config.update(RATELIMIT_ENABLED=True, API_WRITE_LIMIT="2 per minute")
    app.extensions["limiter"]
    member = factories.make_user()
    idea = factories.make_idea()
    headers = bearer(member, "write")
    answers = [
        api.put(f"/api/v1/ideas/{idea.id}/vote", headers=headers).status_code for _ in range(3)
    ]
    assert answers == [200, 200, 429]
    other = api.put(f"/api/v1/ideas/{idea.id}/vote", headers=bearer(factories.make_user(), "write"))
    assert other.status_code == 200
    assert _count(Idea) == 1


@pytest.mark.parametrize("app_config", [{"MODERATION_HOLD_FIRST_POSTS": 1}])
def test_a_new_members_post_waits_for_review_and_says_so(api):
    newcomer, area = factories.make_user(trust_level=0), factories.make_area()
    posted = api.post(
        "/api/v1/questions", json={**ASK, "area": area.slug}, headers=bearer(newcomer, "write")
    )
    assert posted.status_code == 201 and posted.json["review_state"] == "pending"
    question_id = posted.json["id"]
    assert api.get(f"/api/v1/questions/{question_id}").status_code == 404
    own = api.get(f"/api/v1/questions/{question_id}", headers=bearer(newcomer))
    assert own.status_code == 200 and own.json["review_state"] == "pending"
    assert question_id not in {q["id"] for q in api.get("/api/v1/questions").json["items"]}
