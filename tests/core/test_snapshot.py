"""The test suite's Snapshot (tests/conftest.py) puts back rows that point at later rows of
their own table, which foreign keys check as each row goes in."""

from portal.extensions import db
from portal.ideas.models import Idea
from tests import factories
from tests.conftest import Snapshot, empty_all_tables


def test_a_snapshot_restores_rows_that_point_forward_in_their_own_table(app):
    older, newer = factories.make_idea(), factories.make_idea()
    older.merged_into_id = newer.id
    db.session.commit()
    snapshot = Snapshot.take()
    empty_all_tables()
    snapshot.restore()
    db.session.expire_all()
    assert db.session.get(Idea, older.id).merged_into_id == newer.id
