"""Pooled PostgreSQL connections: one that sat idle is checked before a request uses it."""

import pytest
from sqlalchemy import create_engine, text

from portal.extensions import db
from tests.conftest import BACKEND

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
