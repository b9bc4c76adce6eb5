"""Asking: validation beside the fields, safe Markdown, tags, facts recorded, no double posts."""

from portal.activity.models import ActivityEvent
from portal.extensions import db
from portal.search.models import SearchChange
from portal.support.models import Question
from portal.support.services import ask_question
from tests.concurrency import run_concurrently
from tests.conftest import login

GOOD = {
    "title": "How do I connect Acme to our Slack workspace?",
    "body": "I am an admin but the **Connect** button is greyed out in Integrations.",
    "tags": "slack, permissions",
}


def _ask(client, area, **changes):
    data = {**GOOD, "area": area.slug, "form_token": "token-1", **changes}
    return client.post("/questions/ask", data=data)


def test_member_asks_a_question(client, make_user, make_area):
    member, area = make_user(), make_area("Integrations")
    login(client, member)
    form = client.get("/questions/ask").get_data(as_text=True)
    assert 'id="similar-items"' in form and 'name="form_token"' in form
    response = _ask(client, area)
    assert response.status_code == 302
    question = db.session.execute(db.select(Question)).scalar_one()
    assert response.location == f"/questions/{question.id}/{question.slug}"
    assert question.author_id == member.id
    assert question.product_area_id == area.id
    assert [t.name for t in question.tags] == ["permissions", "slack"]
    assert "<strong>Connect</strong>" in question.body_html
    event = db.session.execute(
        db.select(ActivityEvent).where(ActivityEvent.kind == "question.asked")
    ).scalar_one()
    assert (event.subject_type, event.subject_id, event.product_area_id) == (
        "question",
        question.id,
        area.id,
    )
    assert event.data["title"] == GOOD["title"]
    change = db.session.execute(db.select(SearchChange)).scalar_one()
    assert (change.doc_type, change.doc_id, change.action) == ("question", question.id, "upsert")


def test_errors_show_beside_the_fields_and_keep_the_input(client, make_user, make_area):
    area = make_area()
    login(client, make_user())
    response = client.post(
        "/questions/ask",
        data={"title": "Too short", "body": "tiny", "area": "", "tags": "a b c d e f"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Use 15 to 200 characters." in page
    assert "Use 20 to 30,000 characters." in page
    assert "Choose the product area it is about." in page
    assert "Use at most 5 tags." in page
    assert 'value="Too short"' in page
    assert db.session.execute(db.select(Question)).first() is None
    assert area  # the area exists; it simply was not chosen


def test_script_and_javascript_links_come_out_inert(client, make_user, make_area):
    area = make_area()
    login(client, make_user())
    body = (
        "Here is what I see <script>alert('x')</script> and "
        "[click me](javascript:alert(1)) and <img src=x onerror=alert(1)>."
    )
    _ask(client, area, body=body)
    question = db.session.execute(db.select(Question)).scalar_one()
    html = question.body_html
    assert "<script" not in html and "&lt;script&gt;" in html  # shown as text, never run
    assert 'href="javascript:' not in html and "<a" not in html
    assert "<img" not in html
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "<script>alert" not in page


def test_a_double_submitted_form_creates_one_question(client, make_user, make_area):
    area = make_area()
    login(client, make_user())
    first = _ask(client, area)
    second = _ask(client, area)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert db.session.execute(db.select(db.func.count(Question.id))).scalar_one() == 1


def test_concurrent_double_submits_create_one_question(app, make_user, make_area):
    user_id, area_id = make_user().id, make_area().id

    def submit(_index):
        from portal.accounts.models import User
        from portal.taxonomy.models import ProductArea

        ask_question(
            db.session.get(User, user_id),
            title=GOOD["title"],
            body=GOOD["body"],
            area=db.session.get(ProductArea, area_id),
            tags=["slack"],
            form_token="same-token",
        )
        db.session.commit()

    errors = run_concurrently(app, submit, threads=6)
    assert errors == []
    assert db.session.execute(db.select(db.func.count(Question.id))).scalar_one() == 1


def test_tag_suggestions_come_from_existing_tags(client, make_question):
    make_question(tags=["single-sign-on", "sso", "billing"])
    response = client.get("/questions/tags?q=S")
    assert response.get_json() == {"tags": ["single-sign-on", "sso"]}
    assert client.get("/questions/tags?q=").get_json() == {"tags": []}
