"""Keep the index in step with the database without slowing requests down.

After a response whose request recorded search changes, the pending changes are applied by the
process's indexing thread (never by a thread that serves requests: a Whoosh commit that merges
segments, or a wait for another process's writer lock, took seconds and held that thread, and
requests queued behind it). Any other request also checks, at most once a second per process,
whether changes are pending (a crash, a busy lock, another host's writes) and wakes the same
thread.

Each Whoosh commit costs the same whether it carries one document or a hundred, so the thread
applies at most one batch per `SEARCH_SYNC_MIN_SECONDS`: changes that come sooner wait for the
gap to end and go in one batch. A burst of posts costs a few commits, not one each, and every
post is still searchable within about that gap.
"""

import threading
import time

from flask import Flask, g

from portal.background import after_response_work
from portal.extensions import db

CHECK_EVERY_SECONDS = 1.0
RETRY_SECONDS = 2.0  # after a busy writer lock or a failure, the thread tries again by itself


def register(app: Flask) -> None:
    gap = app.config["SEARCH_SYNC_MIN_SECONDS"]
    wake = threading.Event()
    lock = threading.Lock()
    state = {"last_check": 0.0, "last_batch": 0.0, "thread": None}

    def sync() -> bool:
        """Apply what is pending; False if some of it is left (the writer lock was busy, or
        indexing failed)."""
        from portal.search.indexer import apply_pending
        from portal.search.repair import repair_if_damaged

        with app.app_context(), after_response_work():
            try:
                return not apply_pending().deferred
            except Exception:  # never let indexing trouble reach a person; the log keeps it
                app.logger.exception("Search indexing failed; changes stay queued")
                db.session.rollback()
                repair_if_damaged()
                return False
            finally:
                db.session.remove()

    def index_when_woken() -> None:
        while True:
            wake.wait()
            wait = state["last_batch"] + gap - time.monotonic()
            if wait > 0:
                time.sleep(wait)  # what comes meanwhile goes in this batch
            wake.clear()
            state["last_batch"] = time.monotonic()
            if not sync():
                time.sleep(RETRY_SECONDS)
                wake.set()

    def sync_soon() -> None:
        """Wake the indexing thread (started in this process on first use: a thread does not
        survive the fork of a server's worker)."""
        with lock:
            if state["thread"] is None or not state["thread"].is_alive():
                state["thread"] = threading.Thread(
                    target=index_when_woken, name="search-indexer", daemon=True
                )
                state["thread"].start()
        wake.set()

    @app.after_request
    def schedule_sync(response):
        if not app.config["SEARCH_SYNC_AFTER_REQUEST"]:
            return response
        now = time.monotonic()
        if g.pop("search_dirty", False) or now - state["last_check"] > CHECK_EVERY_SECONDS:
            state["last_check"] = now
            response.call_on_close(sync_soon)
        return response
