"""A submitted form holds what was submitted: a field left out is empty (never the model's value,
of whatever type the model keeps it in), JSON is read as text, and the page shown again after
an expired CSRF token answers as the view would."""

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.extensions import db
from portal.ideas.models import Idea
from portal.support.models import Question
from tests.conftest import login
from tests.factories import make_answer, make_idea, make_question

TITLE = "How do I export all my invoices at once?"
BODY = "I can download them one by one, but not all of them together."


@pytest.fixture
def question(make_user, make_area):
    return make_question(make_user(), make_area(slug="billing"), tags=["invoices", "export"])


def _tag_names(question_id: int) -> set[str]:
    db.session.expire_all()
    return {tag.name for tag in db.session.get(Question, question_id).tags}


def test_editing_a_question_without_the_tags_field_leaves_it_without_tags(client, question):
    login(client, question.author)
    response = client.post(
        f"/questions/{question.id}/edit", data={"title": TITLE, "body": BODY, "area": "billing"}
    )
    assert response.status_code == 302
    assert _tag_names(question.id) == set()


def test_a_question_can_be_edited_as_json(client, question):
    login(client, question.author)
    response = client.post(
        f"/questions/{question.id}/edit",
        json={"title": TITLE, "body": BODY, "area": "billing", "tags": "sso, saml"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, question.id).title == TITLE
    assert _tag_names(question.id) == {"sso", "saml"}


@pytest.mark.parametrize(
    "body",
    [
        {"title": TITLE, "body": BODY, "area": "billing", "tags": 5},
        {"title": {"text": TITLE}, "body": BODY, "area": "billing"},
        [TITLE, BODY],
    ],
)
def test_json_that_is_not_text_fields_is_a_clear_400(client, question, body):
    login(client, question.author)
    response = client.post(f"/questions/{question.id}/edit", json=body)
    assert response.status_code == 400
    assert "JSON object whose values are text" in response.get_data(as_text=True)


def test_json_missing_every_field_is_told_what_is_needed(client, question):
    login(client, question.author)
    response = client.post(f"/questions/{question.id}/edit", json={})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Give your question a title." in page and "Write your question." in page


def test_an_expired_csrf_token_on_the_edit_form_shows_it_again(client, question):
    login(client, question.author)
    response = client.post(
        f"/questions/{question.id}/edit",
        data={"title": TITLE, "body": BODY, "area": "billing"},
        csrf=False,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This form had expired" in page and f'value="{TITLE}"' in page
    assert _tag_names(question.id) == {"invoices", "export"}


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [("someone else", "/questions/{id}/edit", 403), ("author", "/questions/999999/edit", 404)],
)
def test_an_expired_csrf_token_on_a_page_one_may_not_see_answers_as_the_view(
    client, question, make_user, who, path, status
):
    login(client, question.author if who == "author" else make_user())
    response = client.post(path.format(id=question.id), data={"title": TITLE}, csrf=False)
    assert response.status_code == status


def test_editing_an_answer_without_its_body_is_refused(client, question):
    answer = make_answer(question)
    login(client, answer.author)
    response = client.post(f"/answers/{answer.id}/edit", data={})
    assert "Write your answer." in response.get_data(as_text=True)


def test_editing_an_idea_without_its_title_is_refused(client, make_user):
    idea = make_idea(make_user(), title="Export reports to Excel")
    login(client, idea.author)
    response = client.post(f"/ideas/{idea.id}/edit", data={"description": "Spreadsheets."})
    assert "Give your idea a short title." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Idea.title)) == "Export reports to Excel"


def test_a_failed_segment_post_shows_the_person_as_they_are(client, make_user, make_plan):
    plan = make_plan("Enterprise")
    person = make_user(role=Role.STAFF, company="Acme", plan=plan)
    login(client, make_user(Role.ADMIN))
    response = client.post(f"/admin/users/{person.id}/segment", data={"segment-company": "x" * 200})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<option selected value="staff">' in page
