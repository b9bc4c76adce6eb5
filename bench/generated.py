"""A generated community for the benchmarks: made once with `flask demo generate`, kept in
bench/.data/NAME (SQLite) or a PostgreSQL database, reused until asked to regenerate, and
brought to the newest schema at every start."""

import os
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DATA = ROOT / "bench" / ".data"
DUMPS = ROOT.parent / "shared" / "data" / "stackexchange"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
CORPUS = [a for d in ("bicycles.meta", "coffee") for a in ("--corpus", str(DUMPS / d))]


def environment(name: str, backend: str = "sqlite", pg_database: str | None = None) -> dict:
    """The portal's environment for the community `name`, as production runs it, with rate
    limits off (every request of a benchmark comes from one address)."""
    instance = DATA / name
    env = {
        **os.environ,
        "PORTAL_INSTANCE_DIR": str(instance),
        "PORTAL_ENV": "production",
        "PORTAL_SECRET_KEY": "bench-only-secret-key",
        "PORTAL_BASE_URL": "http://127.0.0.1",  # benchmarks serve on a loopback port
        "PORTAL_RATELIMIT_ENABLED": "0",
        "FLASK_APP": "wsgi",
    }
    if backend == "postgresql":
        env["PORTAL_DATABASE_URL"] = f"{PG_SERVER}/{pg_database or name}"
    else:
        env["PORTAL_DATABASE_URL"] = f"sqlite:///{instance / 'portal.db'}"
    return env


def generate_once(env: dict, counts: list[str], *, regenerate: bool = False) -> None:
    """Generate the community unless a complete one is kept (a marker file says so), then
    apply any newer migrations."""
    instance = Path(env["PORTAL_INSTANCE_DIR"])
    marker = instance / "generated"
    flask = [str(BIN / "flask")]
    if regenerate or not marker.exists():
        if instance.exists():
            shutil.rmtree(instance)
        instance.mkdir(parents=True)
        url = env["PORTAL_DATABASE_URL"]
        if url.startswith("postgresql"):
            _recreate_postgresql_database(url.rsplit("/", 1)[1])
        subprocess.run([*flask, "db", "upgrade"], env=env, check=True, cwd=ROOT)
        print(f"== generating the community (once; kept in {instance})", flush=True)
        started = time.perf_counter()
        command = [*flask, "demo", "generate", *counts, *CORPUS, "--force", "--no-index"]
        subprocess.run(command, env=env, check=True, cwd=ROOT)
        marker.write_text(f"generated in {time.perf_counter() - started:.0f}s\n")
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, cwd=ROOT)


def _recreate_postgresql_database(name: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')


# Titles as someone types them on the ask form: what the similar-items benchmarks ask.
TYPED = [
    "app logs me out every morning",
    "how do I adjust the rear derailleur",
    "espresso tastes sour",
    "brake pads squeal when wet",
    "export invoices to a spreadsheet",
    "tubeless tire keeps losing air",
    "coffee grinder setting for french press",
    "dark mode",
    "sync fails with error",
    "chain skips under load",
]
