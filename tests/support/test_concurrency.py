"""Concurrent voters, answerers and commenters: every counter ends equal to a recount. Staff
accepting or closing at the same moment take turns: one accepted answer, clear messages."""

import pytest

from portal.accounts.models import User
from portal.extensions import db
from portal.notifications.models import Notification
from portal.support.models import Answer, Question, Vote
from portal.support.recount import recount
from portal.support.services import add_comment, cast_vote, post_answer
from portal.writes import Refused
from tests.concurrency import run_concurrently
from tests.conftest import login

THREADS = 8


def test_concurrent_votes_answers_and_comments_never_drift(
    app, make_user, make_question, make_answer
):
    asker = make_user()
    question = make_question(author=asker)
    answers = [make_answer(question) for _ in range(2)]
    voter_ids = [make_user().id for _ in range(THREADS)]
    question_id, answer_ids = question.id, [a.id for a in answers]

    def work(index: int) -> None:
        user = db.session.get(User, voter_ids[index])
        for _ in range(3):
            cast_vote(user, db.session.get(Question, question_id), 1)
            db.session.commit()
            cast_vote(user, db.session.get(Question, question_id), 0)
            db.session.commit()
        cast_vote(user, db.session.get(Question, question_id), 1)
        db.session.commit()
        cast_vote(user, db.session.get(Answer, answer_ids[0]), 1)
        db.session.commit()
        cast_vote(user, db.session.get(Answer, answer_ids[1]), -1 if index % 2 else 1)
        db.session.commit()
        add_comment(user, db.session.get(Answer, answer_ids[0]), f"Thanks, this helped me {index}.")
        db.session.commit()
        post_answer(db.session.get(Question, question_id), user, f"Another way to do it, {index}.")
        db.session.commit()

    errors = run_concurrently(app, work, threads=THREADS)
    assert errors == []
    assert recount(fix=False) == []
    db.session.expire_all()
    question = db.session.get(Question, question_id)
    assert question.score == THREADS
    assert question.answer_count == 2 + THREADS
    assert db.session.get(Answer, answer_ids[0]).score == THREADS
    assert db.session.get(Answer, answer_ids[0]).comment_count == THREADS
    assert db.session.get(Answer, answer_ids[1]).score == 0  # half up, half down
    assert db.session.get(User, asker.id).reputation == 5 * THREADS


def test_one_person_voting_at_once_in_many_tabs_counts_once(app, make_user, make_question):
    question_id = make_question().id
    voter_id = make_user().id
    refused = []

    def work(_index: int) -> None:
        try:
            cast_vote(db.session.get(User, voter_id), db.session.get(Question, question_id), 1)
            db.session.commit()
        except Refused as error:
            db.session.rollback()
            refused.append(error.message)

    errors = run_concurrently(app, work, threads=THREADS)
    assert errors == []
    assert len(refused) == THREADS - 1
    db.session.expire_all()
    assert db.session.get(Question, question_id).score == 1
    assert db.session.execute(db.select(db.func.count(Vote.id))).scalar_one() == 1
    assert recount(fix=False) == []


def test_concurrent_acceptances_leave_exactly_one_accepted_answer(
    app, make_user, make_question, make_answer
):
    asker = make_user()
    question = make_question(author=asker)
    answer_ids = [make_answer(question).id for _ in range(THREADS)]
    asker_id, question_id = asker.id, question.id
    refused = []

    def work(index: int) -> None:
        from portal.support.services import accept_answer

        try:
            accept_answer(db.session.get(Answer, answer_ids[index]), db.session.get(User, asker_id))
            db.session.commit()
        except Refused as error:
            db.session.rollback()
            refused.append(error.message)

    errors = run_concurrently(app, work, threads=THREADS)
    assert errors == []
    accepted = db.session.execute(
        db.select(db.func.count(Answer.id)).where(
            Answer.question_id == question_id, Answer.is_accepted
        )
    ).scalar_one()
    assert accepted == 1
    assert recount(fix=False) == []


def _staff_clients(app, make_user, count: int) -> list:
    clients = []
    for _ in range(count):
        client = app.test_client()
        login(client, make_user("staff"))
        clients.append(client)
    return clients


def _flashed(client) -> str:
    """The messages waiting for the client's next page, taken off the queue."""
    with client.session_transaction() as session:
        return " ".join(message for _category, message in session.pop("_flashes", []))


def _post_at_once(app, clients, posts: list[tuple[str, dict]]) -> list:
    """Client i posts posts[i] (a path and its form), all at the same moment; the responses."""
    responses = {}

    def work(index: int) -> None:
        path, data = posts[index]
        responses[index] = clients[index].post(path, data=data)

    assert run_concurrently(app, work, threads=len(posts)) == []
    return [responses[index] for index in range(len(posts))]


@pytest.mark.parametrize("same_answer", [False, True], ids=["different answers", "same answer"])
def test_staff_accepting_at_once_get_clear_answers_and_one_acceptance(
    app, make_user, make_question, make_answer, same_answer
):
    clients = _staff_clients(app, make_user, 2)
    for _round in range(10):
        question = make_question()
        question_id = question.id
        answer_ids = [make_answer(question).id for _ in clients]
        if same_answer:
            answer_ids = [answer_ids[0]] * len(clients)
        responses = _post_at_once(
            app, clients, [(f"/answers/{answer_id}/accept", {}) for answer_id in answer_ids]
        )
        assert [response.status_code for response in responses] == [302, 302]
        refused = sorted("already the accepted one" in _flashed(client) for client in clients)
        assert refused == [False, same_answer]
        accepted = db.session.scalars(
            db.select(Answer.id).where(Answer.question_id == question_id, Answer.is_accepted)
        ).all()
        assert len(accepted) == 1
        told = db.session.scalar(
            db.select(db.func.count(Notification.id)).where(
                Notification.kind == "answer.accepted",
                Notification.url.contains(f"/{question_id}/"),
            )
        )
        assert told == (1 if same_answer else 2)
        assert recount(fix=False) == []


def test_closing_two_questions_as_duplicates_of_each_other_at_once_closes_one(
    app, make_user, make_question
):
    clients = _staff_clients(app, make_user, 2)
    for _round in range(10):
        ids = [make_question().id, make_question().id]
        responses = _post_at_once(
            app,
            clients,
            [(f"/questions/{a}/close", {"duplicate_of": str(b)}) for a, b in [ids, ids[::-1]]],
        )
        assert sorted(response.status_code for response in responses) == [200, 302]
        closed = db.session.scalar(
            db.select(db.func.count(Question.id)).where(
                Question.id.in_(ids), Question.duplicate_of_id.is_not(None)
            )
        )
        assert closed == 1
