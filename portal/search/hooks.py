"""Keep the index in step with the database without slowing requests down.

After a response whose request recorded search changes, the pending changes are applied (after
the commit, once the response is sent). Any other request also checks, at most once a second per
process, whether changes are pending (a crash, a busy lock, another host's writes) and applies
them the same way.
"""

import time

from flask import Flask, g

from portal.background import after_response_work
from portal.extensions import db

CHECK_EVERY_SECONDS = 1.0


def register(app: Flask) -> None:
    state = {"last_check": 0.0}

    def sync_after_response() -> None:
        from portal.search.indexer import apply_pending

        with app.app_context(), after_response_work():
            try:
                apply_pending()
            except Exception:  # never let indexing trouble reach a person; the log keeps it
                app.logger.exception("Search indexing failed; changes stay queued")
                db.session.rollback()
            finally:
                db.session.remove()

    @app.after_request
    def schedule_sync(response):
        if not app.config.get("SEARCH_SYNC_AFTER_REQUEST", True):
            return response
        now = time.monotonic()
        if g.pop("search_dirty", False) or now - state["last_check"] > CHECK_EVERY_SECONDS:
            state["last_check"] = now
            response.call_on_close(sync_after_response)
        return response
