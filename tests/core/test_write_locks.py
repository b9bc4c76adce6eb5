"""`lock_for_write` and `take_turns` on both databases: a check-then-write sees what other
writers committed, and writers of the same rows (or the same name) go one at a time."""

import time

import pytest
from sqlalchemy import create_engine, update

from portal.accounts.models import User
from portal.database import lock_for_write, take_turns
from portal.extensions import db
from tests.concurrency import run_concurrently
from tests.conftest import engine_options


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
