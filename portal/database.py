"""Engine tuning that differs by backend (SQLite pragmas, PostgreSQL session settings) and
small shared query helpers."""

import time

from flask import Flask
from sqlalchemy import Boolean, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from portal.config import PROJECT_ROOT
from portal.extensions import db


def configure(app: Flask) -> None:
    """Turn on WAL, foreign keys and a busy timeout for every SQLite connection; turn off JIT
    compilation for every PostgreSQL one, and check a pooled one that sat idle before use."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgresql_settings)
        _ping_after_idle(engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])
        _end_reads_with_a_commit(app, engine)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _postgresql_settings(dbapi_connection, _record) -> None:
    """PostgreSQL compiles a query to machine code once its estimated cost is high, which our
    aggregates (the insights dashboard's) reach: 20 to 25 ms of compiling for a query that then
    runs in 90 ms. Queries here are short, so compiling never pays for itself."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


def _ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use only when it sat idle for `idle_seconds`.

    SQLAlchemy's `pool_pre_ping` checks on every checkout: one more round trip on every
    request, for a connection that, under load, came back to the pool milliseconds ago. A
    connection that has been idle is the one a database restart or an idle timeout may have
    closed; a dead one is replaced before the request uses it. (A restart in the middle of
    busy traffic still fails the request holding a connection; SQLAlchemy then renews the
    whole pool.)"""

    def note_time(_dbapi_connection, record, *_args) -> None:
        record.info["last_used"] = time.monotonic()

    def ping_if_idle(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get("last_used", 0.0) < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError() from error  # the pool connects anew and retries

    event.listen(engine, "connect", note_time)
    event.listen(engine, "checkin", note_time)
    event.listen(engine, "checkout", ping_if_idle)


def _end_reads_with_a_commit(app: Flask, engine: Engine) -> None:
    """End a request's transaction that only read with COMMIT rather than ROLLBACK.

    psycopg prepares a statement it has run five times on a connection (PostgreSQL then
    skips parsing and planning it), but forgets them all at every ROLLBACK, and every
    request ended with one: each page's queries were planned anew on every request. For a
    transaction that only read, COMMIT ends it the same way and keeps them. A transaction
    that wrote, or failed, is rolled back as before."""

    @event.listens_for(engine, "before_cursor_execute")
    def note_writes(conn, _cursor, statement, *_args) -> None:
        if statement.lstrip()[:6].upper() != "SELECT":
            conn.info["wrote"] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def forget_writes(conn) -> None:
        conn.info.pop("wrote", None)

    @app.teardown_appcontext
    def commit_reads(error: BaseException | None) -> None:
        # Registered after Flask-SQLAlchemy's teardown, so it runs first (teardowns run in
        # reverse order): the session is still open here.
        if error is not None or not db.session.registry.has():
            return
        session = db.session()
        if not session.in_transaction() or session.new or session.dirty or session.deleted:
            return
        if session.connection().info.get("wrote"):
            return
        try:
            session.commit()
        except Exception:  # e.g. a query failed and the transaction awaits its rollback
            session.rollback()


def bind_migrations(app: Flask) -> None:
    """Bind Flask-Migrate (Alembic) to `app`, for `flask db` and for code that migrates.

    Only then: importing Alembic adds about 12 MB to a process, and a web worker never
    migrates (portal/cli.py loads the `flask db` commands when they are used)."""
    from flask_migrate import Migrate

    if "migrate" not in app.extensions:
        migrate = Migrate(render_as_batch=True, compare_type=True)
        migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))


def is_sqlite(engine: Engine | None = None) -> bool:
    return (engine or db.engine).dialect.name == "sqlite"


class broad(FunctionElement):
    """A condition that many rows meet, said to SQLite's planner (`likelihood`), which
    otherwise reads any range of an indexed column as narrow; elsewhere, the condition."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True  # a condition already: no "= 1" where booleans are integers


@compiles(broad)
def _broad(element, compiler, **kw):
    return compiler.process(*element.clauses, **kw)


@compiles(broad, "sqlite")
def _broad_sqlite(element, compiler, **kw):
    return f"likelihood({compiler.process(*element.clauses, **kw)}, 0.9)"
