"""Reading through the API: lists paged by cursor, records, ETags, problem bodies, and only
what the caller could see on the site."""

import re

import pytest

from portal.accounts.models import Plan, Role
from portal.extensions import db
from portal.search.index import searchers
from portal.search.indexer import apply_pending
from portal.support.services import delete_post
from tests import factories
from tests.api import bearer


@pytest.fixture
def api(app):
    return app.test_client()


def test_questions_are_paged_by_cursor_without_repeats_or_gaps(api):
    area = factories.make_area("Billing")
    asked = [factories.make_question(area=area) for _ in range(5)]
    seen, cursor, pages = [], None, 0
    while True:
        response = api.get("/api/v1/questions", query_string={"limit": 2, "cursor": cursor or ""})
        assert response.status_code == 200
        body = response.json
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            assert "Link" not in response.headers
            break
        assert (
            f"cursor={cursor}" in response.headers["Link"]
            and 'rel="next"' in response.headers["Link"]
        )
        # Asked meanwhile: newer than the walk's start, so it neither repeats nor shifts it.
        factories.make_question(area=area)
    assert seen == [q.id for q in reversed(asked)] and pages == 3
    first = api.get("/api/v1/questions", query_string={"limit": 1}).json["items"][0]
    assert first["product_area"]["slug"] == area.slug and first["url"].startswith("http")
    assert "email" not in first["author"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "99999999999999999999999"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WzEsMl0"}, "cursor"),  # [1,2]: JSON, but not a cursor
        ({"area": "no-such-area"}, "area"),
        ({"solved": "perhaps"}, "solved"),
    ],
)
def test_a_bad_query_gets_a_problem_that_names_the_field(api, query, field):
    response = api.get("/api/v1/questions", query_string=query)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.json["status"] == 422 and field in response.json["errors"]
    assert response.json["detail"] == response.json["errors"][field][0]


def test_errors_everywhere_under_the_api_are_problem_bodies(api):
    missing = api.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    wrong_method = api.delete("/api/v1/questions")
    assert wrong_method.status_code == 405 and wrong_method.mimetype == "application/problem+json"
    nul = api.get("/api/v1/search", query_string={"q": "a\x00b"})
    assert nul.status_code in (200, 400, 422)


def test_withheld_and_deleted_posts_stay_with_who_may_see_them(app, api):
    author, area = factories.make_user(), factories.make_area()
    live = factories.make_question(area=area)
    pending = factories.make_question(author=author, area=area, review_state="pending")
    deleted = factories.make_question(area=area)
    moderator = factories.make_user(Role.STAFF)
    delete_post(deleted, moderator)
    hidden_answer = factories.make_answer(live)
    hidden_answer.review_state = "hidden"
    shown_answer = factories.make_answer(live)
    db.session.commit()

    listed = {item["id"] for item in api.get("/api/v1/questions").json["items"]}
    assert listed == {live.id}
    as_moderator = bearer(moderator)
    assert {i["id"] for i in api.get("/api/v1/questions", headers=as_moderator).json["items"]} == {
        live.id
    }

    page = api.get(f"/api/v1/questions/{live.id}").json
    assert [a["id"] for a in page["answers"]] == [shown_answer.id]
    staff_page = api.get(f"/api/v1/questions/{live.id}", headers=as_moderator).json
    assert {a["id"] for a in staff_page["answers"]} == {shown_answer.id, hidden_answer.id}

    assert api.get(f"/api/v1/questions/{pending.id}").status_code == 404
    assert api.get(f"/api/v1/questions/{pending.id}", headers=bearer(author)).status_code == 200
    assert api.get(f"/api/v1/questions/{deleted.id}").status_code == 404
    assert api.get(f"/api/v1/questions/{deleted.id}", headers=as_moderator).status_code == 200
    assert api.get("/api/v1/questions/999999").status_code == 404


def test_an_unchanged_record_answers_304_to_its_etag(api):
    question = factories.make_question()
    first = api.get(f"/api/v1/questions/{question.id}")
    etag = first.headers["ETag"]
    assert "private" in first.headers["Cache-Control"] and "Authorization" in first.headers["Vary"]
    again = api.get(f"/api/v1/questions/{question.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    factories.make_answer(question)
    changed = api.get(f"/api/v1/questions/{question.id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and len(changed.json["answers"]) == 1


def test_ideas_list_and_record_respect_review(api):
    author = factories.make_user()
    open_idea = factories.make_idea()
    shipped = factories.make_idea(status="shipped")
    withheld = factories.make_idea(author=author, review_state="pending")
    assert {i["id"] for i in api.get("/api/v1/ideas").json["items"]} == {open_idea.id}
    shipped_only = api.get("/api/v1/ideas", query_string={"status": "shipped"}).json["items"]
    assert [i["id"] for i in shipped_only] == [shipped.id] and shipped_only[0]["votes"] == 1
    assert api.get(f"/api/v1/ideas/{withheld.id}").status_code == 404
    assert api.get(f"/api/v1/ideas/{withheld.id}", headers=bearer(author)).json["id"] == withheld.id
    assert api.get("/api/v1/ideas", query_string={"status": "nonsense"}).status_code == 422


def test_a_members_segment_is_shown_to_the_team_and_themselves_only(api):
    plan = Plan(name="Enterprise", slug="enterprise")
    db.session.add(plan)
    member = factories.make_user(company="Acme", plan=plan)
    seen = api.get(f"/api/v1/members/{member.id}").json
    assert seen["company"] is None and seen["plan"] is None and "email" not in seen
    by_product = api.get(
        f"/api/v1/members/{member.id}", headers=bearer(factories.make_user(Role.PRODUCT))
    ).json
    assert (by_product["company"], by_product["plan"]) == ("Acme", "enterprise")
    own = api.get("/api/v1/me", headers=bearer(member)).json
    assert own["company"] == "Acme"
    stranger = api.get(f"/api/v1/members/{member.id}", headers=bearer(factories.make_user())).json
    assert stranger["company"] is None


def test_notifications_are_the_callers_own(api):
    from portal.notifications.services import notify

    member, other = factories.make_user(), factories.make_user()
    notify([member.id], kind="answer", title="An answer to your question", url="/questions/1")
    notify([other.id], kind="answer", title="Not yours", url="/questions/2")
    db.session.commit()
    mine = api.get("/api/v1/me/notifications", headers=bearer(member)).json["items"]
    assert [n["title"] for n in mine] == ["An answer to your question"]
    assert mine[0]["url"].endswith("/questions/1") and mine[0]["read_at"] is None
    assert api.get("/api/v1/me/notifications").status_code == 401


def test_search_and_similar_find_what_the_site_finds(app, api):
    factories.make_question(title="Invoices show the wrong currency after a plan change")
    apply_pending()
    try:
        found = api.get("/api/v1/search", query_string={"q": "invoices currency"}).json
        assert found["total"] == 1 and found["items"][0]["type"] == "question"
        alike = api.get("/api/v1/similar", query_string={"title": "currency on my invoice"}).json
        assert alike and alike[0]["title"].startswith("Invoices show")
        assert api.get("/api/v1/similar").status_code == 422
    finally:
        searchers().close()


def test_reference_lists(api):
    area = factories.make_area("Billing")
    factories.make_question(area=area, tags=["vat", "invoices"])
    assert [a["slug"] for a in api.get("/api/v1/product-areas").json] == [area.slug]
    assert [t["name"] for t in api.get("/api/v1/tags").json] == ["invoices", "vat"]
    assert [t["name"] for t in api.get("/api/v1/tags", query_string={"prefix": "v"}).json] == [
        "vat"
    ]
    statuses = {s["value"]: s["takes_votes"] for s in api.get("/api/v1/statuses").json}
    assert statuses["planned"] is True and statuses["shipped"] is False


def test_the_openapi_document_describes_every_call(app, api):
    document = api.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    routes = {
        (rule.rule.removeprefix("/api/v1"), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {
        (
            re.sub(r"\{(\w+)\}", lambda m: f"<{'' if m[1] == 'panel' else 'int:'}{m[1]}>", path),
            method,
        )
        for path, operations in document["paths"].items()
        for method in operations
    }
    assert routes == documented
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    docs = app.test_client().get("/api").get_data(as_text=True)
    assert "List questions" in docs and "/api/v1/openapi.json" in docs


def test_kept_answers_never_reach_a_caller_who_sees_more_or_less(api):
    """Lists and a question everyone sees alike are kept between calls; an author with a post
    waiting for review and a moderator still get their own view, and a change shows at once."""
    author = factories.make_user()
    question = factories.make_question()
    waiting = factories.make_answer(question, author=author)
    waiting.review_state = "pending"
    db.session.commit()
    assert api.get(f"/api/v1/questions/{question.id}").json["answers"] == []  # kept now
    own = api.get(f"/api/v1/questions/{question.id}", headers=bearer(author)).json
    assert [a["id"] for a in own["answers"]] == [waiting.id]
    staff = api.get(
        f"/api/v1/questions/{question.id}", headers=bearer(factories.make_user(Role.STAFF))
    )
    assert [a["id"] for a in staff.json["answers"]] == [waiting.id]
    assert api.get(f"/api/v1/questions/{question.id}").json["answers"] == []

    before = {q["id"] for q in api.get("/api/v1/questions").json["items"]}
    newer = factories.make_question()
    after = {q["id"] for q in api.get("/api/v1/questions").json["items"]}
    assert after == before | {newer.id}


def test_insights_figures_need_the_scope_and_the_role(api):
    factories.make_idea(title="Export invoices as CSV")
    product = factories.make_user(Role.PRODUCT)
    figure = api.get("/api/v1/insights/top-ideas", headers=bearer(product, "read", "insights"))
    assert figure.status_code == 200, figure.json
    body = figure.json
    assert (
        body["key"] == "top-ideas"
        and body["columns"]
        and body["rows"][0][0] == "Export invoices as CSV"
    )
    assert api.get("/api/v1/insights/top-ideas", headers=bearer(product, "read")).status_code == 403
    assert api.get("/api/v1/insights/top-ideas").status_code == 401
    member_token = bearer(factories.make_user(), "read")
    assert api.get("/api/v1/insights/top-ideas", headers=member_token).status_code == 403
    insights = bearer(product, "insights")
    assert api.get("/api/v1/insights/nothing", headers=insights).status_code == 404
    bad = api.get(
        "/api/v1/insights/top-ideas", query_string={"period": "forever"}, headers=insights
    )
    assert bad.status_code == 422 and "period" in bad.json["errors"]
