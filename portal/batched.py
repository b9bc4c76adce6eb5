"""Writes that may wait a few seconds (question views, the search log) are kept in memory and
written in one batch every few seconds, after a response: a busy page then costs no write (no
write lock, no commit) per visit.

Each process keeps its own batches; a process that dies loses at most its last few seconds, an
acceptable price for a popularity figure or a search log. A batch that cannot be written (a
busy database) is kept and tried again with the next one.
"""

import atexit
import threading
import time
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

from flask import Flask

from portal.background import after_response_work
from portal.extensions import db

T = TypeVar("T")


class Batch(Generic[T]):
    """Items not yet written, shared by the threads of one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[T] = []
        self._last_flush = time.monotonic()

    def add(self, item: T) -> None:
        with self._lock:
            self._pending.append(item)

    def take_if_due(self, every_seconds: float) -> list[T]:
        """Hand over the pending items when the last batch is old enough (else nothing)."""
        with self._lock:
            now = time.monotonic()
            if not self._pending or now - self._last_flush < every_seconds:
                return []
            self._last_flush = now
            taken, self._pending = self._pending, []
            return taken

    def give_back(self, items: list[T]) -> None:
        with self._lock:
            self._pending[:0] = items


def register(
    app: Flask, name: str, write: Callable[[list[T]], None], every_seconds: float
) -> Batch[T]:
    """A batch kept as `app.extensions[name]`, handed to `write` (which commits) after a
    response at most every `every_seconds`, and when the process exits."""
    batch: Batch[T] = Batch()
    app.extensions[name] = batch

    def flush(items: list[T]) -> None:
        with app.app_context(), after_response_work():
            try:
                write(items)
            except Exception:  # a busy or unreachable database: keep them for next time
                db.session.rollback()
                batch.give_back(items)
                app.logger.warning("Could not write %d %s yet", len(items), name)
            finally:
                db.session.remove()

    @app.after_request
    def schedule_flush(response):
        items = batch.take_if_due(every_seconds)
        if items:
            response.call_on_close(lambda: flush(items))
        return response

    def flush_on_exit() -> None:
        items = batch.take_if_due(0)
        if items:
            flush(items)

    _exit_flushes.setdefault(app, []).append(flush_on_exit)
    return batch


# Apps are held weakly: a process that builds many apps (the tests) does not keep them all alive
# for an exit handler each.
_exit_flushes: "weakref.WeakKeyDictionary[Flask, list[Callable[[], None]]]" = (
    weakref.WeakKeyDictionary()
)


@atexit.register
def _flush_every_batch_on_exit() -> None:
    for flushes in list(_exit_flushes.values()):
        for flush_on_exit in flushes:
            flush_on_exit()
