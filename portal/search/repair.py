"""Keep search answering while the index files are damaged, and rebuild them once.

A full disk, a backup restored halfway or a file removed by hand leaves the index unreadable,
and every search failed until someone ran `flask search rebuild`. Now a search that fails on a
damaged index (see `index.index_damage`) is answered without it (see `queries`), and the index
is rebuilt from the database in a thread: one at a time per process, and one at a time across
the processes and hosts that share SEARCH_DIR (Whoosh's file lock `repair.lock` there): a
second worker waits for the first, finds the index sound and rebuilds nothing.
"""

import threading
import time

from flask import Flask, current_app
from whoosh.filedb.filestore import FileStorage

from portal.background import after_response_work
from portal.extensions import db
from portal.search.index import index_damage, search_dir

REPAIR_LOCK = "repair.lock"
RETRY_SECONDS = 60  # after a rebuild that failed, searches skip the index this long


class IndexRepair:
    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._failed_at: float | None = None

    def under_way(self) -> bool:
        """True while this process rebuilds the index (or waits for another to), and for a
        while after a rebuild that failed: searches then skip the index."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return True
            failed = self._failed_at
        return failed is not None and time.monotonic() - failed < RETRY_SECONDS

    def start(self, damage: str) -> None:
        """Rebuild the damaged index in a thread, unless this process is already at it."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self.app.logger.error("The search index is damaged (%s); rebuilding it", damage)
            self._failed_at = None
            self._thread = threading.Thread(target=self._run, name="search-repair", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        """Until the rebuild under way (if any) ends (tests, and a command that waits)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        from portal.search.indexer import rebuild

        with self.app.app_context(), after_response_work():
            lock = FileStorage(str(search_dir())).lock(REPAIR_LOCK)
            lock.acquire(blocking=True)  # another worker's rebuild ends first
            try:
                if index_damage() is not None:  # not repaired by that worker meanwhile
                    rebuild()
            except Exception:
                self.app.logger.exception("Rebuilding the damaged search index failed")
                db.session.rollback()
                with self._lock:
                    self._failed_at = time.monotonic()
            finally:
                lock.release()
                db.session.remove()


def index_repair() -> IndexRepair:
    """The app's repair (one per app, like its searchers)."""
    app = current_app._get_current_object()
    return app.extensions.setdefault("portal_index_repair", IndexRepair(app))


def from_index(read, fallback):
    """`read()` from the index; `fallback()` while the index is damaged and being rebuilt.
    An error on a sound index is a fault of ours, not of the files: it is raised."""
    repair = index_repair()
    if repair.under_way():
        return fallback()
    try:
        return read()
    except Exception:
        damage = index_damage()
        if damage is None:
            raise
        repair.start(damage)
        return fallback()


def repair_if_damaged() -> None:
    """Rebuild the index if its files are damaged (indexing failed: it may be why)."""
    damage = index_damage()
    if damage is not None:
        index_repair().start(damage)
