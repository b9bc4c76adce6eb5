"""Votes, accepted answers and reputation: rules with clear refusals, counters kept in SQL."""

import threading

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.activity.models import ActivityEvent
from portal.database import is_sqlite
from portal.extensions import db
from portal.notifications.models import Notification
from portal.support.models import Answer, Question, Vote
from portal.support.recount import recount
from portal.support.services import accept_answer, cast_vote, delete_post
from portal.writes import Refused
from tests.conftest import login


def _fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def _vote(client, url, value, json=False):
    headers = {"Accept": "application/json"} if json else {}
    return client.post(url, data={"value": value}, headers=headers)


def test_upvote_change_and_withdraw_keep_score_and_reputation_right(
    client, make_user, make_question, make_answer
):
    author, voter = make_user(), make_user()
    answer = make_answer(make_question(), author=author)
    login(client, voter)
    url = f"/answers/{answer.id}/vote"
    response = _vote(client, url, "up", json=True)
    assert response.get_json() == {"score": 1, "my_vote": 1, "message": "Upvoted."}
    assert _fresh(User, author.id).reputation == 10
    assert _vote(client, url, "down", json=True).get_json()["score"] == -1
    assert _fresh(User, author.id).reputation == -2
    assert _vote(client, url, "withdraw", json=True).get_json()["score"] == 0
    assert _fresh(User, author.id).reputation == 0
    assert _fresh(Answer, answer.id).score == 0
    assert db.session.execute(db.select(Vote)).first() is None
    assert recount(fix=False) == []


def test_question_upvote_gives_five(client, make_user, make_question):
    author, voter = make_user(), make_user()
    question = make_question(author=author)
    login(client, voter)
    response = _vote(client, f"/questions/{question.id}/vote", "up")
    assert response.status_code == 302
    assert _fresh(Question, question.id).score == 1
    assert _fresh(User, author.id).reputation == 5
    event = db.session.execute(
        db.select(ActivityEvent).where(ActivityEvent.kind == "vote.cast")
    ).scalar_one()
    assert event.data["value"] == 1 and event.subject_type == "question"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("own", "You can’t vote on your own answer."),
        ("twice", "You already upvoted this answer."),
        ("deleted", "This answer was deleted"),
        ("nothing", "You haven’t voted on this answer"),
    ],
)
def test_refused_votes_say_why_and_change_nothing(
    client, make_user, make_question, make_answer, setup, message
):
    author, voter, staff = make_user(), make_user(), make_user("staff")
    answer = make_answer(make_question(), author=author)
    value = "up"
    person = voter
    if setup == "own":
        person = author
    elif setup == "twice":
        cast_vote(voter, answer, 1)
        db.session.commit()
    elif setup == "deleted":
        delete_post(answer, staff)
        db.session.commit()
        person = staff
    elif setup == "nothing":
        value = "withdraw"
    before = _fresh(Answer, answer.id).score, _fresh(User, author.id).reputation
    login(client, person)
    response = _vote(client, f"/answers/{answer.id}/vote", value, json=True)
    assert response.status_code == 409
    assert message in response.get_json()["error"]
    assert (_fresh(Answer, answer.id).score, _fresh(User, author.id).reputation) == before
    page = _vote(client, f"/answers/{answer.id}/vote", value)
    assert page.status_code == 302
    followed = client.get(page.location).get_data(as_text=True)
    assert message.replace("’", "&#39;")[:20] in followed or message[:20] in followed


def test_asker_accepts_and_moving_acceptance_moves_reputation(
    client, make_user, make_question, make_answer
):
    asker, first_author, second_author = make_user(), make_user(), make_user()
    question = make_question(author=asker)
    first = make_answer(question, author=first_author)
    second = make_answer(question, author=second_author)
    login(client, asker)
    assert client.post(f"/answers/{first.id}/accept").status_code == 302
    assert _fresh(Question, question.id).is_solved
    assert _fresh(User, first_author.id).reputation == 15
    assert _fresh(User, asker.id).reputation == 2
    notification = db.session.execute(
        db.select(Notification).where(Notification.kind == "answer.accepted")
    ).scalar_one()
    assert notification.user_id == first_author.id
    client.post(f"/answers/{second.id}/accept")
    assert not _fresh(Answer, first.id).is_accepted
    assert _fresh(Answer, second.id).is_accepted
    assert _fresh(User, first_author.id).reputation == 0
    assert _fresh(User, second_author.id).reputation == 15
    assert _fresh(User, asker.id).reputation == 2
    client.post(f"/answers/{second.id}/unaccept")
    assert not _fresh(Question, question.id).is_solved
    assert _fresh(User, second_author.id).reputation == 0
    assert _fresh(User, asker.id).reputation == 0
    assert recount(fix=False) == []


def test_staff_acceptance_is_shown_as_such(client, make_user, make_question, make_answer):
    staff = make_user("staff", display_name="Sam Support")
    question = make_question()
    answer = make_answer(question, author=make_user())
    login(client, staff)
    client.post(f"/answers/{answer.id}/accept")
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "accepted by Sam Support for the support team" in page


def test_someone_else_cannot_accept(client, make_user, make_question, make_answer):
    question = make_question()
    answer = make_answer(question)
    login(client, make_user())
    response = client.post(f"/answers/{answer.id}/accept")
    assert response.status_code == 403
    assert "Only the person who asked this question (or our support team) can accept" in (
        response.get_data(as_text=True)
    )
    assert not _fresh(Answer, answer.id).is_accepted


def test_the_database_allows_one_accepted_answer_per_question(
    make_question, make_answer, make_user
):
    question = make_question()
    first, second = make_answer(question), make_answer(question)
    first.is_accepted = True
    db.session.commit()
    second.is_accepted = True
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_deleting_the_accepted_answer_unsolves_the_question(make_question, make_answer, make_user):
    asker, staff = make_user(), make_user("staff")
    question = make_question(author=asker)
    answer = make_answer(question)
    accept_answer(answer, asker)
    db.session.commit()
    delete_post(answer, staff)
    db.session.commit()
    assert not _fresh(Question, question.id).is_solved
    assert _fresh(Question, question.id).answer_count == 0
    assert recount(fix=False) == []
    with pytest.raises(Refused, match="deleted"):
        cast_vote(make_user(), _fresh(Answer, answer.id), 1)


def _holds_a_transaction(connection) -> bool:
    """Whether this connection has begun writing (SQLite: it holds the write lock)."""
    raw = connection.connection.dbapi_connection
    if is_sqlite():
        return raw.in_transaction
    return raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE


def test_the_loser_of_an_acceptance_race_gets_a_clear_answer(
    app, client, make_user, make_question, make_answer
):
    question = make_question()
    mine, theirs = make_answer(question), make_answer(question)
    me, colleague = make_user("staff"), make_user("staff")
    mine_id, theirs_id, colleague_id = mine.id, theirs.id, colleague.id
    login(client, me)

    def accept_theirs() -> None:
        with app.app_context():  # a session and connection of its own, as another request
            accept_answer(db.session.get(Answer, theirs_id), db.session.get(User, colleague_id))
            db.session.commit()

    other: list[threading.Thread] = []

    def colleague_accepts(connection, _cursor, statement, *_args) -> None:
        """Right before this request's first write, the colleague's request accepts another
        answer: it commits at once, or, when this request already holds a lock it needs, waits
        for it as a real one would."""
        if other or statement.startswith("SELECT"):
            return
        other.append(threading.Thread(target=accept_theirs))
        other[0].start()
        if not _holds_a_transaction(connection):
            other[0].join()

    event.listen(db.engine, "before_cursor_execute", colleague_accepts)
    try:
        response = client.post(f"/answers/{mine_id}/accept")
    finally:
        event.remove(db.engine, "before_cursor_execute", colleague_accepts)
    other[0].join(timeout=30)

    assert response.status_code == 302
    flashed = client.get(response.location).get_data(as_text=True)
    assert "Answer accepted." in flashed or "Another answer was accepted" in flashed
    accepted = db.session.scalars(
        db.select(Answer.id).where(Answer.question_id == question.id, Answer.is_accepted)
    ).all()
    assert len(accepted) == 1
    assert recount(fix=False) == []
