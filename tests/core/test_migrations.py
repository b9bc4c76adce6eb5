"""The migrations build exactly the schema the models declare."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from portal import create_app
from portal.database import bind_migrations
from portal.extensions import db
from tests.conftest import BACKEND, make_test_config


def test_migrations_match_the_models(tmp_path, database_url):
    if BACKEND == "postgresql":
        url = database_url
        schema_engine = create_engine(url)
        with schema_engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
            conn.execute(text("CREATE SCHEMA migration_check"))
        url_options = {
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "connect_args": {"options": "-csearch_path=migration_check"}
            }
        }
    else:
        url = f"sqlite:///{tmp_path / 'migrated.db'}"
        url_options = {}
    app = create_app(make_test_config(url, tmp_path / "instance", **url_options))
    bind_migrations(app)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            with warnings.catch_warnings():
                # Alembic cannot compare expression indexes; they are checked by name below.
                warnings.filterwarnings("ignore", message=".*expression-based index")
                diff = compare_metadata(context, db.metadata)
            tables = set(inspect(connection).get_table_names())
            index_names = set(
                connection.execute(
                    text("SELECT indexname FROM pg_indexes")
                    if BACKEND == "postgresql"
                    else text("SELECT name FROM sqlite_master WHERE type = 'index'")
                ).scalars()
            )
        db.engine.dispose()
    assert diff == []
    assert {t.name for t in db.metadata.sorted_tables} <= tables
    assert "ix_ideas_total_votes" in index_names
    if BACKEND == "postgresql":
        with schema_engine.begin() as conn:
            conn.execute(text("DROP SCHEMA migration_check CASCADE"))
        schema_engine.dispose()
