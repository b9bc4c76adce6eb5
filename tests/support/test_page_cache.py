"""Anonymous visitors get pages kept whole until the community changes (portal.cache)."""

import pytest

from portal.extensions import db
from tests.conftest import login


@pytest.fixture
def app_config():
    return {"PAGE_CACHE": True}


def test_an_anonymous_page_is_kept_until_the_next_activity(app, make_question, make_user):
    question = make_question(title="Brake pads squeal after rain")
    anonymous, member = app.test_client(), app.test_client()
    login(member, make_user())
    url = f"/questions/{question.id}"
    assert "Brake pads squeal after rain" in anonymous.get(url).get_data(as_text=True)

    # A change that records no activity event: members see it, anonymous visitors get the kept page.
    question.title = "Brake pads squeal in the wet"
    db.session.commit()
    assert "squeal in the wet" in member.get(url).get_data(as_text=True)
    assert "squeal after rain" in anonymous.get(url).get_data(as_text=True)

    # Posting an answer records an event: the next anonymous visit sees the answer at once.
    body = "Clean the rims with alcohol and bed the pads in again."
    response = member.post(f"{url}/answers", data={"body": body})
    assert response.status_code == 302
    page = anonymous.get(url).get_data(as_text=True)
    assert "bed the pads in again" in page
    assert "squeal in the wet" in page


def test_kept_lists_follow_new_questions(app, make_user, make_area):
    area = make_area()
    member = app.test_client()
    login(member, make_user())
    anonymous = app.test_client()
    assert "Chain skips on the smallest cog" not in anonymous.get("/questions").get_data(
        as_text=True
    )
    response = member.post(
        "/questions/ask",
        data={
            "title": "Chain skips on the smallest cog",
            "body": "Since I replaced the cassette the chain skips under load.",
            "area": area.slug,
            "tags": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    for path in ("/questions", "/"):
        assert "Chain skips on the smallest cog" in anonymous.get(path).get_data(as_text=True)
    # Members share the kept rows of a list, and see the new question in them at once too.
    assert "Chain skips on the smallest cog" in member.get("/questions").get_data(as_text=True)


def test_a_visitor_with_a_message_waiting_gets_a_fresh_page(app, make_question):
    question = make_question()
    client = app.test_client()
    client.get(f"/questions/{question.id}")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "You have been logged out.")]
    assert "You have been logged out." in client.get(f"/questions/{question.id}").get_data(
        as_text=True
    )


def test_a_kept_question_page_costs_one_lookup_and_still_counts_the_view(
    app, make_question, count_queries
):
    from portal.support.models import Question

    question = make_question(title="Spokes ping on every climb")
    url = f"/questions/{question.id}/{question.slug}"
    first, second = app.test_client(), app.test_client()
    assert first.get(url).status_code == 200
    with count_queries() as counted:
        page = second.get(url).get_data(as_text=True)
    assert "Spokes ping on every climb" in page
    assert counted.count == 1  # the community's version: the question is not loaded
    # A wrong slug still redirects, and an unknown question is still a 404.
    assert second.get(f"/questions/{question.id}/old-title").status_code == 301
    assert second.get("/questions/999999").status_code == 404
    db.session.expire_all()
    assert db.session.get(Question, question.id).view_count == 2  # written after each response
