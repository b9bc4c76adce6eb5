"""Engine tuning that differs by backend (SQLite pragmas, PostgreSQL session settings) and
small shared query helpers."""

import threading
import time
import weakref
import zlib

from flask import Flask
from sqlalchemy import Boolean, Row, event, exc, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from portal.config import PROJECT_ROOT
from portal.extensions import db

_CONFIGURED: "weakref.WeakSet[Engine]" = weakref.WeakSet()


def configure(app: Flask) -> None:
    """Turn on WAL, foreign keys and a busy timeout for every SQLite connection; turn off JIT
    compilation for every PostgreSQL one, and check a pooled one that sat idle before use."""
    with app.app_context():
        engine = db.engine
    if engine in _CONFIGURED:  # several apps of one process may share an engine (tests do)
        return
    _CONFIGURED.add(engine)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        _writers_take_turns()
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgresql_settings)
        _ping_after_idle(engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])
        _reads_on_their_own(engine)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# A process's SQLite writers queue here, one transaction at a time, before they ask SQLite for
# its write lock. SQLite's busy handler polls with growing sleeps (up to 100 ms a try) and keeps
# no queue, so among a few writers at once an unlucky one lost round after round (see
# bench/results/similar-items.md). Reentrant: a request made inside a test, in its thread,
# writes with a session of its own, as it would have shared SQLite's lock.
_WRITERS = threading.RLock()
WRITERS_WAIT_SECONDS = 10  # SQLite's busy_timeout: past it, go on and let SQLite decide


def _writers_take_turns() -> None:
    if not event.contains(db.session, "after_transaction_end", _leave_writers):
        event.listen(db.session, "before_flush", _join_writers_to_flush)
        event.listen(db.session, "do_orm_execute", _join_writers_to_write)
        event.listen(db.session, "after_transaction_end", _leave_writers)


def _join_writers(session) -> None:
    """This process's writer turn for the session's transaction, taken once."""
    if "writer_turn" not in session.info:
        session.info["writer_turn"] = _WRITERS.acquire(timeout=WRITERS_WAIT_SECONDS)


def _join_writers_to_flush(session, _context, _instances) -> None:
    _join_writers(session)


def _join_writers_to_write(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _join_writers(state.session)


def _leave_writers(session, transaction) -> None:
    if transaction.parent is None and session.info.pop("writer_turn", False):
        _WRITERS.release()


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


def _reads_on_their_own(engine: Engine) -> None:
    """The session reads without a transaction (psycopg's autocommit) and writes in one.

    Under READ COMMITTED a statement sees what was committed before it began, in a transaction
    or not, so a read on its own sees what it would see in one, and a request that only reads
    sends no BEGIN, COMMIT or ROLLBACK (two of the five round trips of a member's question
    page; psycopg also forgets its prepared statements at every ROLLBACK). A write opens a real
    transaction, which lasts until commit or rollback: `begin_transaction()` says so (the write
    helper, locks), and the session's flushes and INSERT, UPDATE and DELETE statements do so
    themselves. Connections used outside the session (migrations) keep psycopg's ordinary
    transactions."""
    if not event.contains(db.session, "after_begin", _read_on_their_own):
        event.listen(db.session, "after_begin", _read_on_their_own)
        event.listen(db.session, "before_flush", _flush_in_a_transaction)
        event.listen(db.session, "do_orm_execute", _writes_in_a_transaction)

    @event.listens_for(engine, "checkin")
    def transactions_outside_the_session(dbapi_connection, _record) -> None:
        if dbapi_connection is not None and not dbapi_connection.closed:
            dbapi_connection.autocommit = False  # after the pool's rollback: nothing is open


def _read_on_their_own(_session, transaction, connection) -> None:
    if connection.dialect.name == "postgresql" and not transaction.nested:
        connection.connection.dbapi_connection.autocommit = True


def _flush_in_a_transaction(session, _context, _instances) -> None:
    begin_transaction(session)


def _writes_in_a_transaction(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        begin_transaction(state.session)


def begin_transaction(session=None) -> None:
    """Run the session's statements from here until commit or rollback in one transaction: for
    reads that belong to the write after them (locks, SET LOCAL, savepoints). On PostgreSQL the
    next statement sends BEGIN; on SQLite, Python's sqlite3 module opens the transaction at the
    first write (`lock_for_write` takes the write lock before its read)."""
    connection = (session or db.session).connection()
    if connection.dialect.name == "postgresql":
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection.autocommit:
            dbapi_connection.autocommit = False


# Every sequence of the current schema back to 1. TRUNCATE ... RESTART IDENTITY does this and
# empties the tables in one statement, but makes each table's files anew: 60 times slower.
RESTART_SEQUENCES = """
    SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'S' AND n.nspname = current_schema()
"""


def empty_all_tables() -> None:
    """Every table as a fresh database has it: empty, ids from 1, or holding the rows it is
    made with (a table's `info["seed"]`, a function giving them: what its migration inserts)."""
    tables = reversed(db.metadata.sorted_tables)
    if is_sqlite():  # its ids start again from the largest one left
        for table in tables:
            db.session.execute(table.delete())
    else:  # in one round trip, not one a table
        deletes = "".join(f'DELETE FROM "{table.name}"; ' for table in tables)
        db.session.execute(text(deletes + RESTART_SEQUENCES))
    _seed(db.session, db.metadata.sorted_tables)


def _seed(target, tables) -> None:
    for table in tables:
        if "seed" in table.info:
            target.execute(table.insert(), table.info["seed"]())


@event.listens_for(db.metadata, "after_create")
def _seed_new_tables(_metadata, connection, tables=(), **kw) -> None:
    """`create_all` (tests, fresh development databases) gets the rows migrations insert."""
    _seed(connection, tables)


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


def lock_for_write(model, *ids: int) -> list:
    """Lock these rows of `model` until the session's transaction ends and return them as they
    are now, in id order (a row since deleted is missing), so a check-then-write sees what
    other writers committed and no other writer changes the rows before this one commits.

    Call it before the check. PostgreSQL locks the rows (SELECT ... FOR UPDATE, in id order so
    that two writers locking overlapping rows queue instead of deadlocking). SQLite has no row
    locks and one writer at a time, and a transaction opens only at its first write (see
    `begin_transaction`), so anything read before may be stale: take the write lock first,
    then read.
    """
    if is_sqlite():
        _take_sqlite_write_lock()
    begin_transaction()
    return list(
        db.session.scalars(
            select(model)
            .where(model.id.in_(ids))
            .order_by(model.id)
            .with_for_update(of=model)  # not the tables its relationships join in eagerly
            .execution_options(populate_existing=True)
        )
    )


def take_turns(name: str) -> None:
    """Make the transactions that call this with the same `name` run one at a time, each until
    it commits or rolls back.

    For a write that changes rows it cannot name before it starts (merging ideas repoints the
    ideas merged into the source earlier): locking those as it meets them could deadlock with
    a writer that locked them first. PostgreSQL: an advisory lock held to the end of the
    transaction; SQLite: the write lock, which every writer takes in turn anyway.
    """
    if is_sqlite():
        _take_sqlite_write_lock()
    else:
        begin_transaction()
        db.session.execute(select(func.pg_advisory_xact_lock(zlib.crc32(name.encode()))))


def _take_sqlite_write_lock() -> None:
    """BEGIN IMMEDIATE waits (busy_timeout) for the database's write lock; a transaction
    already open here began with a write, which took the lock."""
    _join_writers(db.session())
    connection = db.session.connection()
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


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


def insert_or_ignore(model, values: dict, **conflict) -> Row | None:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL alike; the new row's primary
    key, or None when a unique constraint already held such a row. `conflict` names the
    constraint (`index_elements`, and `index_where` for a partial index); without it any.

    It needs no savepoint, and a concurrent duplicate is refused by the database, never by luck.
    """
    module = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(model).values(**values).on_conflict_do_nothing(**conflict)
    keys = model.__table__.primary_key.columns
    return db.session.execute(statement.returning(*keys)).first()
