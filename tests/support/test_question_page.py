"""The question page: canonical URLs, answer order, view counting, SEO data, fixed query count."""

import json
import re

from portal.extensions import db
from portal.support.models import Comment, Question
from portal.support.services import accept_answer, add_comment
from tests.conftest import login


def test_question_page_shows_question_and_answers(client, make_question, make_answer):
    question = make_question(title="Sync stops after the phone sleeps", tags=["sync", "ios"])
    make_answer(question, body="Turn off Low Power Mode; background refresh needs it.")
    response = client.get(f"/questions/{question.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Sync stops after the phone sleeps" in page
    assert "Turn off Low Power Mode" in page
    assert "1 Answer" in page
    assert ">sync<" in page and ">ios<" in page


def test_missing_question_is_a_404_page(client):
    response = client.get("/questions/999999")
    assert response.status_code == 404
    assert "couldn’t find" in response.get_data(as_text=True)
    assert client.get("/answers/999999").status_code == 404


def test_slug_is_optional_and_a_wrong_one_redirects_to_the_canonical_url(client, make_question):
    question = make_question(title="Invoices show the wrong VAT number")
    assert question.slug == "invoices-show-the-wrong-vat-number"
    assert client.get(f"/questions/{question.id}/{question.slug}").status_code == 200
    response = client.get(f"/questions/{question.id}/old-title")
    assert response.status_code == 301
    assert response.location.endswith(f"/questions/{question.id}/{question.slug}")
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert (
        f'rel="canonical" href="http://localhost/questions/{question.id}/{question.slug}"' in page
    )


def test_answers_are_ordered_accepted_first_then_score_then_oldest(
    client, make_question, make_answer, make_user
):
    asker = make_user()
    question = make_question(author=asker)
    first = make_answer(question, body="The first answer, posted earliest of all.")
    second = make_answer(question, body="The second answer, which gets an upvote.")
    third = make_answer(question, body="The third answer, which the asker accepts.")
    second.score = 3
    accept_answer(third, asker)
    db.session.commit()
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    order = [int(n) for n in re.findall(r'id="answer-(\d+)"', page)]
    assert order == [third.id, second.id, first.id]
    assert "Accepted answer" in page


def test_a_view_counts_once_per_session(app, make_question):
    question = make_question()
    first, second = app.test_client(), app.test_client()
    for _ in range(3):
        first.get(f"/questions/{question.id}")
    second.get(f"/questions/{question.id}")
    db.session.expire_all()
    assert db.session.get(Question, question.id).view_count == 2


def test_page_has_title_description_and_qapage_data_with_the_accepted_answer(
    client, make_question, make_answer, make_user
):
    asker = make_user()
    question = make_question(
        author=asker,
        title="Export to CSV drops accented characters",
        body="When I export the report, **é** becomes garbage in Excel.",
    )
    answer = make_answer(question, body="Choose UTF-8 with BOM in the export dialog.")
    make_answer(question, body="Or open the file with the data import wizard.")
    accept_answer(answer, asker)
    db.session.commit()
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "<title>Export to CSV drops accented characters (solved)" in page
    assert '<meta name="description" content="When I export the report, é becomes' in page
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1)
    )
    assert data["@type"] == "QAPage"
    entity = data["mainEntity"]
    assert entity["name"] == "Export to CSV drops accented characters"
    assert entity["answerCount"] == 2
    assert entity["acceptedAnswer"]["text"] == "Choose UTF-8 with BOM in the export dialog."
    assert entity["acceptedAnswer"]["url"].endswith(f"#answer-{answer.id}")
    assert len(entity["suggestedAnswer"]) == 1


def _question_with(n_answers, make_question, make_answer, make_user, voter):
    question = make_question()
    people = [make_user() for _ in range(3)]
    for i in range(n_answers):
        answer = make_answer(question, author=people[i % 3], body=f"Answer number {i} is here.")
        add_comment(people[(i + 1) % 3], answer, f"A comment on answer number {i}.")
        add_comment(people[(i + 2) % 3], question, f"A comment on the question, {i}.")
    db.session.commit()
    from portal.support.services import cast_vote

    cast_vote(voter, question, 1)
    db.session.commit()
    return question


def test_statement_count_does_not_grow_with_answers_and_comments(
    app, make_question, make_answer, make_user, count_queries
):
    voter = make_user()
    staff = make_user("staff")
    small = _question_with(2, make_question, make_answer, make_user, voter)
    large = _question_with(100, make_question, make_answer, make_user, voter)
    assert db.session.execute(db.select(db.func.count(Comment.id))).scalar_one() == 204
    for person in (None, voter, staff):
        counts = []
        for question in (small, large):
            client = app.test_client()
            if person is not None:
                login(client, person)
            client.get(f"/questions/{question.id}")  # first view: counts the view
            with count_queries() as counter:
                response = client.get(f"/questions/{question.id}")
            assert response.status_code == 200
            counts.append(counter.count)
        assert counts[0] == counts[1], (person, counts)


def test_views_are_written_in_batches_not_per_visit(app, make_question):
    """Between batches a visit costs no write; the batch adds every visit it held."""
    from portal.batched import Batch
    from portal.support.view_counts import write_views

    question = make_question()
    tally = Batch()
    for _ in range(3):
        tally.add(question.id)
    assert tally.take_if_due(60) == []  # not due yet: nothing leaves the tally
    views = tally.take_if_due(0)
    assert views == [question.id] * 3
    write_views(views)
    db.session.expire_all()
    assert db.session.get(Question, question.id).view_count == 3
    assert tally.take_if_due(0) == []
