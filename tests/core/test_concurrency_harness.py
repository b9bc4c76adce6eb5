"""The database holds up under concurrent writers: SQL increments never lose an update."""

from sqlalchemy import update

from portal.accounts.models import User
from portal.extensions import db
from tests.concurrency import run_concurrently


def test_concurrent_sql_increments_are_never_lost(app, make_user):
    user_id = make_user().id  # threads get ids, never ORM objects of the test's session

    def bump(_index: int) -> None:
        for _ in range(20):
            # A read first, as a real service does before it writes.
            db.session.execute(db.select(User.id).where(User.id == user_id)).scalar_one()
            db.session.execute(
                update(User).where(User.id == user_id).values(reputation=User.reputation + 1)
            )
            db.session.commit()

    errors = run_concurrently(app, bump, threads=8)
    assert errors == []
    db.session.expire_all()
    assert db.session.get(User, user_id).reputation == 160
