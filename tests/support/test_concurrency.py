"""Concurrent voters, answerers and commenters: every counter ends equal to a recount."""

from portal.accounts.models import User
from portal.extensions import db
from portal.support.models import Answer, Question, Vote
from portal.support.recount import recount
from portal.support.services import SupportError, add_comment, cast_vote, post_answer
from tests.concurrency import run_concurrently

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
        except SupportError as error:
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
        except SupportError as error:
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
