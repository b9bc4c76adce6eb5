"""Pooled PostgreSQL connections: one that sat idle is checked before a request uses it; reads
run on their own (no BEGIN, no COMMIT) and keep their prepared statements for the next request;
a write, a lock or `begin_transaction()` opens a transaction that lasts until commit or
rollback; connections outside the session keep ordinary transactions."""

import psycopg
import pytest
from sqlalchemy import create_engine, exc, func, select, text, update

from portal.database import begin_transaction, lock_for_write
from portal.extensions import db
from portal.taxonomy.models import ProductArea
from tests.conftest import BACKEND, engine_options

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL connection pool")


def _pooled_backend_pids() -> set[int]:
    with db.engine.connect() as connection:
        return {connection.execute(text("SELECT pg_backend_pid()")).scalar_one()}


def _terminate(database_url: str, pids: set[int]) -> None:
    """What a database restart or an idle timeout does to the pool's connections."""
    killer = create_engine(database_url)
    with killer.connect() as connection:
        for pid in pids:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()


@pytest.mark.parametrize("app_config", [{"DATABASE_PING_AFTER_IDLE_SECONDS": 0}])
def test_a_connection_closed_while_idle_is_replaced_before_a_request_uses_it(
    app, client, database_url
):
    assert client.get("/questions").status_code == 200
    pids = _pooled_backend_pids()
    _terminate(database_url, pids)

    assert client.get("/questions").status_code == 200
    assert _pooled_backend_pids().isdisjoint(pids)


@pytest.mark.parametrize("app_config", [{"DATABASE_PING_AFTER_IDLE_SECONDS": 3600}])
def test_a_connection_back_from_a_request_moments_ago_is_used_without_a_check(
    app, client, monkeypatch
):
    pings = []
    ping = db.engine.dialect.do_ping
    monkeypatch.setattr(db.engine.dialect, "do_ping", lambda c: pings.append(c) or ping(c))

    for _ in range(3):
        assert client.get("/questions").status_code == 200
    assert pings == []


@pytest.mark.parametrize(
    "app_config", [{"SQLALCHEMY_ENGINE_OPTIONS": {**engine_options(), "pool_size": 1}}]
)
def test_statements_prepared_for_one_request_serve_the_next(app, client):
    """psycopg forgets prepared statements at a ROLLBACK: a request that only read commits."""
    for _ in range(8):
        assert client.get("/questions").status_code == 200
    with db.engine.connect() as connection:
        prepared = connection.execute(text("SELECT count(*) FROM pg_prepared_statements"))
        assert prepared.scalar_one() > 0


def test_a_request_that_wrote_without_committing_is_rolled_back(app, client):
    def add_area_and_leave():
        db.session.add(ProductArea(name="Left behind", slug="left-behind"))
        db.session.flush()
        return "flushed, not committed"

    def rename_and_leave():
        db.session.execute(update(ProductArea).values(name="Renamed, not committed"))
        return "updated, not committed"

    app.add_url_rule("/test/add-and-leave", view_func=add_area_and_leave)
    app.add_url_rule("/test/rename-and-leave", view_func=rename_and_leave)
    assert client.get("/test/add-and-leave").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(ProductArea)) == 0

    db.session.add(ProductArea(name="Kept", slug="kept"))
    db.session.commit()
    assert client.get("/test/rename-and-leave").status_code == 200
    db.session.expire_all()
    assert db.session.scalars(select(ProductArea.name)).all() == ["Kept"]


def _in_a_transaction() -> bool:
    status = db.session.connection().connection.dbapi_connection.info.transaction_status
    return status != psycopg.pq.TransactionStatus.IDLE


def test_reads_run_on_their_own_and_a_write_opens_a_transaction(app):
    db.session.add(ProductArea(name="Brakes", slug="brakes"))
    db.session.commit()

    assert db.session.scalars(select(ProductArea.name)).all() == ["Brakes"]
    assert not _in_a_transaction()  # no BEGIN was sent for the read

    db.session.execute(update(ProductArea).values(name="Disc brakes"))
    assert _in_a_transaction()
    assert db.session.scalars(select(ProductArea.name)).all() == ["Disc brakes"]  # its own write
    db.session.rollback()
    assert db.session.scalars(select(ProductArea.name)).all() == ["Brakes"]
    assert not _in_a_transaction()


def test_a_locking_read_holds_its_lock_until_the_commit(app, database_url):
    area = ProductArea(name="Brakes", slug="brakes")
    db.session.add(area)
    db.session.commit()
    other = create_engine(database_url, **engine_options())

    def try_to_lock() -> bool:
        with other.connect() as connection:
            try:
                connection.execute(text("SELECT id FROM product_areas FOR UPDATE NOWAIT"))
            except exc.OperationalError:
                return False
            return True

    lock_for_write(ProductArea, area.id)
    assert _in_a_transaction()
    assert not try_to_lock()
    db.session.commit()
    assert try_to_lock()
    other.dispose()


def test_reads_after_begin_transaction_belong_to_it(app):
    db.session.add(ProductArea(name="Brakes", slug="brakes"))
    db.session.commit()
    begin_transaction()
    db.session.execute(text("SET LOCAL statement_timeout = 1234"))
    assert _in_a_transaction()
    assert db.session.scalar(text("SHOW statement_timeout")) == "1234ms"
    db.session.commit()
    assert db.session.scalar(text("SHOW statement_timeout")) != "1234ms"
    assert not _in_a_transaction()


def test_a_flush_opens_a_transaction_that_a_rollback_undoes(app):
    db.session.add(ProductArea(name="Brakes", slug="brakes"))
    db.session.flush()
    assert _in_a_transaction()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ProductArea)) == 0


def test_connections_outside_the_session_keep_ordinary_transactions(app):
    assert db.session.scalar(select(func.count()).select_from(ProductArea)) == 0
    db.session.commit()  # the session's connection goes back to the pool
    with db.engine.connect() as connection:
        connection.execute(text("SET LOCAL statement_timeout = 1234"))  # only in a transaction
        assert connection.scalar(text("SHOW statement_timeout")) == "1234ms"
