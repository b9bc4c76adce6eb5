"""Keep the index in step with the database without slowing requests down.

After a response whose request recorded search changes, the pending changes are applied (after
the commit, once the response is sent). Any other request also checks, at most once a second per
process, whether changes are pending (a crash, a busy lock, another host's writes) and applies
them the same way.

Each Whoosh commit costs the same whether it carries one document or a hundred, so a process
applies at most one batch per `SEARCH_SYNC_MIN_SECONDS`: a write that comes sooner is left to a
timer that applies everything pending when the gap is over. A burst of posts costs a few commits,
not one each, and every post is still searchable within about that gap.
"""

import threading
import time

from flask import Flask, g

from portal.background import after_response_work
from portal.extensions import db

CHECK_EVERY_SECONDS = 1.0
MIN_SECONDS_BETWEEN_BATCHES = 0.5


def register(app: Flask) -> None:
    gap = app.config.get("SEARCH_SYNC_MIN_SECONDS", MIN_SECONDS_BETWEEN_BATCHES)
    lock = threading.Lock()
    state = {"last_check": 0.0, "last_batch": 0.0, "timer": None}

    def sync() -> None:
        from portal.search.indexer import apply_pending

        with lock:
            state["timer"] = None
            state["last_batch"] = time.monotonic()
        with app.app_context(), after_response_work():
            try:
                apply_pending()
            except Exception:  # never let indexing trouble reach a person; the log keeps it
                app.logger.exception("Search indexing failed; changes stay queued")
                db.session.rollback()
            finally:
                db.session.remove()

    def sync_soon() -> None:
        """Apply now if the last batch is old enough, else once (one timer) when it is."""
        with lock:
            if state["timer"] is not None:
                return  # the coming batch will carry this change too
            wait = state["last_batch"] + gap - time.monotonic()
            if wait > 0:
                state["timer"] = timer = threading.Timer(wait, sync)
                timer.daemon = True
                timer.start()
                return
        sync()

    @app.after_request
    def schedule_sync(response):
        if not app.config.get("SEARCH_SYNC_AFTER_REQUEST", True):
            return response
        now = time.monotonic()
        if g.pop("search_dirty", False) or now - state["last_check"] > CHECK_EVERY_SECONDS:
            state["last_check"] = now
            response.call_on_close(sync_soon)
        return response
