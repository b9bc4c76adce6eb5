"""Results that are costly to compute and change only when the community does something.

Every write that changes what people see records an activity event in its transaction, so the
newest event id is a version of the whole community: a result computed at one version is exact
until the next event. Each process keeps results keyed by name, arguments and that version;
reading the version is one primary-key lookup. Nothing is ever stale, and a quiet
community (or a page people read far more often than they write) computes each result once.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app
from sqlalchemy import func, select

from portal.extensions import db
from portal.insights.models import ActivityEvent

T = TypeVar("T")
MAX_ENTRIES = 256


class VersionedCache:
    def __init__(self):
        self._entries: OrderedDict[Hashable, tuple[int, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: int, compute: Callable[[], T]) -> T:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(key)
                return entry[1]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return value


def community_version() -> int:
    """The newest activity event id (an index lookup)."""
    return db.session.scalar(select(func.max(ActivityEvent.id))) or 0


def cached(name: str, *args: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, or the result it gave for the same name and arguments at this version."""
    cache = current_app.extensions.setdefault("portal_versioned_cache", VersionedCache())
    return cache.get((name, *args), community_version(), compute)
