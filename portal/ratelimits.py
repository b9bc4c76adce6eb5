"""Rate-limit counters in a SQLite file, shared by every worker process on one machine.

The `limits` library (under Flask-Limiter) keeps counters in memory, Redis, Memcached or
MongoDB. In memory, each gunicorn worker counted alone, so `make run`'s two workers let twice
the limit through; the others need a server. A SQLite file in the instance folder needs none:
one statement increments a counter atomically across processes. Several hosts share Redis
instead (`PORTAL_RATELIMIT_STORAGE_URL=redis://...`).

Registered with `limits` as the `sqlite` scheme by defining the class (its metaclass keeps a
registry), so `sqlite:////abs/path/ratelimits.db` works wherever a storage URI does. It serves
the fixed-window strategy, which the portal uses.
"""

import os
import sqlite3
import threading
import time

from limits.storage import Storage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    expires_at REAL NOT NULL
) WITHOUT ROWID
"""

# A window that has ended starts again at `amount`; a live one adds to its count. SQLite
# evaluates every SET expression against the row as it was, so both CASEs see the old expiry.
_INCREMENT = """
INSERT INTO counters (key, count, expires_at) VALUES (:key, :amount, :expires_at)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN expires_at <= :now THEN excluded.count ELSE count + excluded.count END,
    expires_at = CASE WHEN expires_at <= :now THEN excluded.expires_at ELSE expires_at END
RETURNING count
"""

# Expired counters are swept now and then, so the file stays the size of the live windows.
_SWEEP_EVERY = 1000


class SQLiteStorage(Storage):
    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        # As SQLAlchemy reads it: sqlite:////abs/path, or sqlite:///relative/path.
        self.path = (uri or "").removeprefix("sqlite:///") or ":memory:"
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._increments = 0

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        """This process's connection (a worker forked from a parent opens its own)."""
        if self._connection is None or self._pid != os.getpid():
            connection = sqlite3.connect(
                self.path, timeout=10, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode=WAL")
            # Counters of the last moments before a power cut are not worth an fsync each.
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute(_SCHEMA)
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            connection = self._db()
            (count,) = connection.execute(
                _INCREMENT, {"key": key, "amount": amount, "expires_at": now + expiry, "now": now}
            ).fetchone()
            self._increments += 1
            if self._increments % _SWEEP_EVERY == 0:
                connection.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
        return count

    def _live(self, key: str) -> tuple[int, float] | None:
        with self._lock:
            row = (
                self._db()
                .execute(
                    "SELECT count, expires_at FROM counters WHERE key = ? AND expires_at > ?",
                    (key, time.time()),
                )
                .fetchone()
            )
        return row

    def get(self, key: str) -> int:
        live = self._live(key)
        return live[0] if live else 0

    def get_expiry(self, key: str) -> float:
        live = self._live(key)
        return live[1] if live else time.time()

    def check(self) -> bool:
        try:
            with self._lock:
                self._db().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        with self._lock:
            return self._db().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        with self._lock:
            self._db().execute("DELETE FROM counters WHERE key = ?", (key,))
