"""A throwaway portal for one benchmark: a new SQLite file in its instance folder, or a
PostgreSQL schema of its own (dropped and made anew, so a run never reads an earlier one's rows).
"""

from pathlib import Path


def _psycopg(database_url: str) -> str:
    return database_url.replace("postgresql://", "postgresql+psycopg://", 1)


def scratch_app(database_url: str | None, instance: Path, schema: str, **config):
    """The portal on a fresh database; `config` adds to or overrides the benchmark defaults."""
    from portal import create_app

    options = {}
    if database_url:
        drop_schema(database_url, schema, create=True)
        url = _psycopg(database_url)
        options = {"connect_args": {"options": f"-csearch_path={schema}"}}
    else:
        url = f"sqlite:///{instance / 'portal.db'}"
    return create_app(
        {
            "SECRET_KEY": "bench",
            "INSTANCE_DIR": str(instance),
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": options,
            "BASE_URL": "http://localhost",
            **config,
        }
    )


def drop_schema(database_url: str, schema: str, create: bool = False) -> None:
    """Drop the benchmark's schema (and make it empty again with `create`)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(_psycopg(database_url))
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        if create:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
