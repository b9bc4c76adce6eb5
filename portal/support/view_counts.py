"""Question views are counted in memory and written to the database in one batch every few
seconds, after a response, so a busy question page costs no write (and no write lock) per visit.

Each process keeps its own tally; a process that dies loses at most its last few seconds of views,
an acceptable price for a popularity figure. A batch that cannot be written (a busy database) is
kept and tried again with the next one.
"""

import atexit
import threading
import time
import weakref
from collections import Counter

from flask import Flask, current_app
from sqlalchemy import bindparam, update

from portal.background import after_response_work
from portal.extensions import db

DEFAULT_FLUSH_SECONDS = 5.0


class ViewTally:
    """Views per question id not yet written, shared by the threads of one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Counter[int] = Counter()
        self._last_flush = time.monotonic()

    def add(self, question_id: int) -> None:
        with self._lock:
            self._pending[question_id] += 1

    def take_if_due(self, every_seconds: float) -> Counter[int]:
        """Hand over the pending views when the last batch is old enough (else nothing)."""
        with self._lock:
            now = time.monotonic()
            if not self._pending or now - self._last_flush < every_seconds:
                return Counter()
            self._last_flush = now
            taken, self._pending = self._pending, Counter()
            return taken

    def give_back(self, views: Counter[int]) -> None:
        with self._lock:
            self._pending.update(views)


def write_views(views: Counter[int]) -> None:
    """One executemany UPDATE adding each question's new views to its counter."""
    from portal.support.models import Question

    table = Question.__table__
    db.session.execute(
        update(table)
        .where(table.c.id == bindparam("question_id"))
        .values(view_count=table.c.view_count + bindparam("views")),
        [{"question_id": qid, "views": n} for qid, n in sorted(views.items())],
    )
    db.session.commit()


def register(app: Flask) -> ViewTally:
    tally = ViewTally()
    app.extensions["view_tally"] = tally
    every = app.config.get("VIEW_FLUSH_SECONDS", DEFAULT_FLUSH_SECONDS)

    def flush(views: Counter[int]) -> None:
        with app.app_context(), after_response_work():
            try:
                write_views(views)
            except Exception:  # a busy or unreachable database: keep the views for next time
                db.session.rollback()
                tally.give_back(views)
                app.logger.warning("Could not write %d question views yet", sum(views.values()))
            finally:
                db.session.remove()

    @app.after_request
    def schedule_flush(response):
        views = tally.take_if_due(every)
        if views:
            response.call_on_close(lambda: flush(views))
        return response

    def flush_on_exit() -> None:
        views = tally.take_if_due(0)
        if views:
            flush(views)

    app.extensions["view_tally_flush_on_exit"] = flush_on_exit
    _apps.add(app)
    return tally


# Apps are held weakly: a process that builds many apps (the tests) does not keep them all alive
# for an exit handler each.
_apps: "weakref.WeakSet[Flask]" = weakref.WeakSet()


@atexit.register
def _flush_every_app_on_exit() -> None:
    for app in list(_apps):
        app.extensions["view_tally_flush_on_exit"]()


def count_view(question_id: int) -> None:
    current_app.extensions["view_tally"].add(question_id)
