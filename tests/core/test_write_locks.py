"""`lock_for_write` and `take_turns` on both databases: a check-then-write sees what other
writers committed, and writers of the same rows (or the same name) go one at a time."""

import threading
import time

import pytest
from sqlalchemy import create_engine, update
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.database import _WRITERS, lock_for_write, take_turns
from portal.extensions import db
from tests.concurrency import run_concurrently
from tests.conftest import BACKEND, engine_options


def test_lock_for_write_reads_what_another_writer_committed(app, make_user, database_url):
    user = make_user()
    assert user.reputation == 0  # loaded in this session, and kept there
    other = create_engine(database_url, **engine_options())
    with other.begin() as connection:
        connection.execute(update(User).where(User.id == user.id).values(reputation=7))
    other.dispose()

    assert lock_for_write(User, user.id, 999_999) == [user]  # a missing row is left out
    assert user.reputation == 7
    db.session.commit()


def _add_one_by_hand(user_id: int) -> None:
    """Read, think, write back: the write is lost if another writer slips in between."""
    reputation = db.session.get(User, user_id).reputation
    time.sleep(0.002)
    db.session.execute(update(User).where(User.id == user_id).values(reputation=reputation + 1))
    db.session.commit()


@pytest.mark.parametrize(
    "take_lock",
    [
        pytest.param(lambda user_id: lock_for_write(User, user_id), id="lock_for_write"),
        pytest.param(lambda _user_id: take_turns("tests.add-one"), id="take_turns"),
    ],
)
def test_writers_that_lock_first_lose_no_update(app, make_user, take_lock):
    user_id = make_user().id

    def work(_index: int) -> None:
        for _ in range(5):
            take_lock(user_id)
            _add_one_by_hand(user_id)

    assert run_concurrently(app, work, threads=4) == []
    db.session.expire_all()
    assert db.session.get(User, user_id).reputation == 20


def _turn_is_free() -> bool:
    """Whether another thread could take this process's SQLite writer turn now."""
    free = []

    def try_it() -> None:
        got = _WRITERS.acquire(blocking=False)
        free.append(got)
        if got:
            _WRITERS.release()

    thread = threading.Thread(target=try_it)
    thread.start()
    thread.join()
    return free[0]


@pytest.mark.skipif(BACKEND != "sqlite", reason="PostgreSQL's writers queue on row locks")
def test_a_sqlite_write_holds_the_process_turn_until_its_transaction_ends(app, make_user):
    user = make_user()
    db.session.get(User, user.id)
    assert _turn_is_free()  # reads never take it
    for end in ("commit", "rollback", "close"):
        db.session.execute(update(User).where(User.id == user.id).values(reputation=1))
        assert not _turn_is_free()
        getattr(db.session, end)()
        assert _turn_is_free(), end
    user = db.session.get(User, user.id)
    user.reputation = 5  # a flush takes it too
    db.session.flush()
    assert not _turn_is_free()
    db.session.commit()
    take_turns("anything")  # BEGIN IMMEDIATE waits for the process's turn first
    assert not _turn_is_free()
    db.session.rollback()
    assert _turn_is_free()


@pytest.mark.skipif(BACKEND != "sqlite", reason="PostgreSQL's writers queue on row locks")
def test_a_failed_write_gives_the_turn_back(app, make_user):
    user, other = make_user(), make_user()
    with pytest.raises(IntegrityError):
        db.session.execute(update(User).where(User.id == user.id).values(email=other.email))
    db.session.rollback()
    assert _turn_is_free()
