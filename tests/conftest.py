"""Shared fixtures: a fresh app per test on a real database (SQLite file, or PostgreSQL when
PORTAL_TEST_BACKEND=postgresql), a test client that sends CSRF tokens like a browser, factories
and a SQL statement counter."""

import contextlib
import contextvars
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_sqlalchemy import SQLAlchemy
from itsdangerous import URLSafeTimedSerializer
from jinja2 import BytecodeCache
from sqlalchemy import bindparam, create_engine, event, text

from portal import create_app
from portal.background import in_after_response_work
from portal.database import empty_all_tables as empty_tables
from portal.extensions import db
from portal.search.index import searchers
from tests import factories
from tests.mailbox import Mailbox, start_smtp_server

BACKEND = os.environ.get("PORTAL_TEST_BACKEND", "sqlite")
# Under pytest-xdist each worker gets its own SQLite file, or its own PostgreSQL schema.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
PG_SCHEMA = f"test_{WORKER}" if WORKER else "public"


def engine_options() -> dict:
    options = {}
    if BACKEND == "postgresql":
        options["connect_args"] = {"options": f"-csearch_path={PG_SCHEMA}"}
    return options


def pytest_report_header(config):
    from tests.e2e.conftest import CHROMIUM, chromium_available

    database = (
        f"database: PostgreSQL at {_postgresql_url()}"
        if BACKEND == "postgresql"
        else "database: SQLite (a file in a temporary folder)"
    )
    browser = (
        f"browser tests: Chromium at {CHROMIUM}"
        if chromium_available()
        else f"browser tests: SKIPPED (no Chromium at {CHROMIUM}; `apt-get install chromium`)"
    )
    return [database, browser]


def _postgresql_url() -> str:
    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not url:
        pytest.exit("PORTAL_TEST_BACKEND=postgresql needs PORTAL_TEST_DATABASE_URL", returncode=2)
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if BACKEND == "postgresql":
        return _postgresql_url()
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal.db'}"


def make_test_config(database_url: str, instance_dir: Path, **overrides) -> dict:
    config = {
        "PORTAL_ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_DIR": str(instance_dir),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SEARCH_DIR": str(instance_dir / "search"),
        # The similarity model, built from its package once for every run (as make run does).
        "SEARCH_MODEL_DIR": str(Path(__file__).resolve().parent.parent / "instance" / "models"),
        "UPLOAD_DIR": str(instance_dir / "uploads"),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",  # cheap hashing: tests are not about cost
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        "BASE_URL": "http://localhost",  # the test client's host
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(),
        "SEARCH_SYNC_AFTER_REQUEST": False,
        "SEARCH_SYNC_MIN_SECONDS": 0,  # tests that sync after a response expect it at once
        "VIEW_FLUSH_SECONDS": 0,  # write question views after each response
        "SEARCH_LOG_FLUSH_SECONDS": 0,  # and searches
        "PAGE_CACHE": True,  # as in production: pages kept by viewer class (portal/caching)
        "INSIGHTS_CACHE_SECONDS": 0,  # the same; tests/insights/test_dashboard_cache.py turns it on
        # Off unless a test is about them: each worker pass would add badge notifications to
        # those the mail tests count.
        "BADGES": False,
        # Off unless a test is about it (app_config in tests/search/test_semantic*.py and the
        # browser's similar items): most tests index posts, and each would be embedded.
        "SEARCH_SEMANTIC": False,
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    """Create the schema once per run; each test empties the tables it leaves behind.

    On PostgreSQL the schema is made anew: a run of another branch may have left tables this
    one does not know, whose foreign keys would stop it dropping its own."""
    if BACKEND == "postgresql":
        engine = create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
        engine.dispose()
    app = create_app(make_test_config(database_url, tmp_path_factory.mktemp("schema")))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return database_url


def empty_all_tables() -> None:
    empty_tables()
    db.session.commit()


CURRENT_SEQUENCES = """
    SELECT sequencename, last_value FROM pg_sequences
    WHERE schemaname = current_schema() AND last_value IS NOT NULL
"""


# Every sequence in one round trip.
SET_SEQUENCES = text(
    "SELECT setval(name, value) FROM unnest(CAST(:names AS text[]), CAST(:values AS bigint[]))"
    " AS given(name, value)"
)


@dataclass(frozen=True)
class Snapshot:
    """Every row of the test database, and where PostgreSQL's sequences stood, so that a
    fixture that builds many objects builds them once per process and puts them back for each
    test (tests/test_permissions.py: 1,356 tests on one world)."""

    rows: dict
    sequences: tuple

    @classmethod
    def take(cls) -> "Snapshot":
        rows = {}
        for table in db.metadata.sorted_tables:
            found = db.session.execute(table.select()).mappings().all()
            if found:
                rows[table] = [dict(row) for row in found]
        sequences = ()
        if db.engine.dialect.name == "postgresql":
            sequences = tuple(db.session.execute(text(CURRENT_SEQUENCES)).all())
        return cls(rows, sequences)

    def restore(self) -> None:
        """Into the empty database each test starts with. A row may point at a later row of
        its own table (an idea merged into a newer one): those columns are set once every
        row is in."""
        for table, rows in self.rows.items():
            if "seed" in table.info:  # the rows a fresh table is made with; the rest are empty
                db.session.execute(table.delete())
            own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
            db.session.execute(table.insert(), [{**row, **dict.fromkeys(own)} for row in rows])
            for name in own:
                (key,) = table.primary_key.columns
                pointing = [row for row in rows if row[name] is not None]
                if pointing:
                    db.session.execute(
                        table.update()
                        .where(key == bindparam("_key"))
                        .values({name: bindparam("_value")}),
                        [{"_key": row[key.name], "_value": row[name]} for row in pointing],
                    )
        if self.sequences:
            names, values = zip(*self.sequences, strict=True)
            db.session.execute(SET_SEQUENCES, {"names": list(names), "values": list(values)})
        db.session.commit()


@pytest.fixture(scope="session")
def _smtp_server():
    controller, mailbox = start_smtp_server()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def mailbox(_smtp_server) -> Mailbox:
    """What the loopback SMTP server received during this test."""
    return _smtp_server[1]


@pytest.fixture
def worker_pass(app):
    """One pass of the worker (`flask mail send-queued`): requests only queue mail and large
    notification fan-outs, so a test that expects them after a request runs the worker, as
    `make run` does beside gunicorn."""

    def send() -> str:
        result = app.test_cli_runner().invoke(args=["mail", "send-queued"])
        assert result.exit_code == 0, result.output
        return result.output

    return send


@pytest.fixture
def app_config() -> dict:
    """Override in a test module (or parametrize) to change settings for its app."""
    return {}


@pytest.fixture
def app(_schema, _smtp_server, tmp_path, app_config):
    controller, mailbox = _smtp_server
    mailbox.clear()
    mail_url = f"smtp://{controller.hostname}:{controller.port}"
    config = {"MAIL_URL": mail_url, **app_config}
    app = create_app(make_test_config(_schema, tmp_path / "instance", **config))
    app.test_client_class = CSRFClient
    yield from serve_test_app(app)


class CompiledTemplates(BytecodeCache):
    """Templates compiled once per test process, not once per test's app: compiling them was
    a third of the suite's time. Jinja checks each template's source before it uses what is
    kept here, so an edited template is compiled again."""

    def __init__(self):
        self.kept: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self.kept.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self.kept[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def _share_url_builders() -> None:
    """Build each URL rule's builder once per test process, not once per test's app: werkzeug
    generates and compiles Python for every rule of every app (a sixth of the suite's time).
    A builder is a function of the rule's parts, defaults and converters, bound to its rule
    when used, so rules alike in those share one."""
    from werkzeug.routing import Rule

    compile_builder = Rule._compile_builder
    built: dict = {}

    def shared(rule, append_unknown: bool = True):
        key = (
            append_unknown,
            tuple(rule._trace),
            repr(sorted((rule.defaults or {}).items())),
            tuple((name, type(converter)) for name, converter in rule._converters.items()),
        )
        builder = built.get(key)
        if builder is None:
            builder = built[key] = compile_builder(rule, append_unknown)
        return builder

    Rule._compile_builder = shared


_share_url_builders()


def _share_parsed_rules() -> None:
    """Parse each URL rule once per test process, not once per test's app: werkzeug parses
    every rule with regular expressions when it is added to a map (a third of making an app).
    What parsing makes depends only on the rule's text, where it is matched and the map's
    converters; the parts and converters are never changed after, so apps may share them."""
    from werkzeug.routing import Rule

    compile_rule = Rule.compile
    parsed: dict = {}

    def shared(rule) -> None:
        rule_map = rule.map
        key = (
            rule.rule,
            rule_map.host_matching,
            rule.host if rule_map.host_matching else rule.subdomain,
            rule.merge_slashes,
            tuple(rule_map.converters.items()),
        )
        found = parsed.get(key)
        if found is None:
            compile_rule(rule)
            parsed[key] = (rule._parts, rule._trace, rule._converters, set(rule.arguments))
            return
        parts, trace, converters, arguments = found
        rule._parts, rule._trace, rule._converters = list(parts), list(trace), dict(converters)
        rule.arguments |= arguments
        rule._build = rule._compile_builder(False).__get__(rule, None)
        rule._build_unknown = rule._compile_builder(True).__get__(rule, None)

    Rule.compile = shared


_share_parsed_rules()


def _share_engines() -> None:
    """One engine per process for apps alike in their database settings, not one per test's
    app: SQLAlchemy keeps compiled SQL per engine (and dialect), so each new engine compiled
    every statement again (a third of a test's time). Settings that differ (pool size, the
    ping after idle, a connect hook) get an engine of their own."""
    make_engine = SQLAlchemy._make_engine
    engines: dict = {}

    def shared(self, bind_key, options, app):
        key = (
            bind_key,
            repr(sorted((name, repr(value)) for name, value in options.items())),
            app.config.get("DATABASE_PING_AFTER_IDLE_SECONDS"),
        )
        engine = engines.get(key)
        if engine is None:
            engine = engines[key] = make_engine(self, bind_key, options, app)
        return engine

    SQLAlchemy._make_engine = shared


_share_engines()


def serve_test_app(app):
    """Yield `app` inside its app context, then leave the database empty for the next test."""
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    with app.app_context():
        yield app
        searchers().close_all()
        db.session.rollback()
        empty_all_tables()
        db.session.remove()


class CSRFClient(FlaskClient):
    """Posts carry a valid CSRF token (form field and header), as a page in a browser would.

    Pass `csrf=False` to post without one.
    """

    def open(self, *args, **kwargs):
        send_token = kwargs.pop("csrf", True)
        # Buffered, so the response is closed as a real server closes it (call_on_close runs).
        kwargs.setdefault("buffered", True)
        method = (kwargs.get("method") or "GET").upper()
        if send_token and method in {"POST", "PUT", "PATCH", "DELETE"}:
            token = self.csrf_token()
            data = kwargs.get("data")
            if data is None and kwargs.get("json") is None:
                kwargs["data"] = {"csrf_token": token}
            elif isinstance(data, dict) and "csrf_token" not in data:
                kwargs["data"] = {**data, "csrf_token": token}
            headers = dict(kwargs.get("headers") or {})
            headers.setdefault("X-CSRFToken", token)
            kwargs["headers"] = headers
        # Run each request in an empty context, so it gets its own app context, `g` and database
        # session as in production, instead of reusing the test's pushed app context.
        return contextvars.Context().run(super().open, *args, **kwargs)

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", secrets.token_hex(20))
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)


@pytest.fixture
def client(app) -> CSRFClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def login(client: FlaskClient, user) -> None:
    """Log `user` in on `client` the way the login form does, without the form's round trip."""
    from portal.accounts.sessions import start_session

    key = start_session(user, "test client")
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True


def client_for(app, user=None) -> FlaskClient:
    """A test client of its own, signed in as `user` (or anonymous)."""
    client = app.test_client()
    if user is not None:
        login(client, user)
    return client


@pytest.fixture
def make_user(app):
    return factories.make_user


@pytest.fixture
def make_area(app):
    return factories.make_area


@pytest.fixture
def make_plan(app):
    return factories.make_plan


@pytest.fixture(params=["voters kept", "too many voters to keep"])
def kept_members(request, monkeypatch):
    """Content kept for members holds who voted (and follows) on the page, unless there are
    more than KEPT_MEMBERS of them: then each member's visit asks the database."""
    if request.param == "too many voters to keep":
        monkeypatch.setattr("portal.caching.pages.KEPT_MEMBERS", 0)
    return request.param


class StatementCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as counter:` ... `counter.count` SQL statements were issued."""

    @contextlib.contextmanager
    def counting():
        counter = StatementCounter()

        def before(_conn, _cursor, statement, *_args):
            if not in_after_response_work():  # indexing runs after the response
                counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting
