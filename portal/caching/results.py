"""Results that are costly to compute and change only when the community does something.

Every write that changes what people see records an activity event in its transaction, so the
newest event is a version of the whole community: a result computed at one version is exact
until the next event. Each process keeps results keyed by name, arguments and that version;
reading the version is one primary-key lookup. A quiet community (or a page people read far
more often than they write) computes each result once.
"""

import dataclasses
import functools
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import (
    copy_current_request_context,
    current_app,
    g,
    has_app_context,
)
from sqlalchemy import Select, event, select, true

from portal.activity.models import ActivityEvent
from portal.background import after_response_work
from portal.extensions import db

T = TypeVar("T")
MAX_ENTRIES = 256
WAIT_SECONDS = 30  # at most, for another thread computing the same value


def _weight(value: object) -> int:
    """About how many bytes a kept value holds (its text, which is most of a page)."""
    if isinstance(value, str | bytes):
        return sys.getsizeof(value)
    if dataclasses.is_dataclass(value):
        return sum(_weight(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, tuple | list):
        return sum(_weight(item) for item in value)
    if isinstance(value, dict):
        return sum(_weight(item) for item in value.values())
    if isinstance(value, frozenset):
        return sys.getsizeof(value) + 32 * len(value)
    return 64


class VersionedCache:
    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int | None = None):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._bytes = 0
        self._entries: OrderedDict[Hashable, tuple[Hashable, object, float]] = OrderedDict()
        self._weights: dict[Hashable, int] = {}
        self._computing: dict[Hashable, threading.Event] = {}  # set when the value is kept
        self._lock = threading.Lock()

    def peek(self, key: Hashable, version: Hashable, max_age: float = 0):
        """The value kept for `key` at `version` (or younger than `max_age` seconds), or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and (entry[0] == version or time.monotonic() - entry[2] < max_age):
                self._entries.move_to_end(key)
                return entry[1]
        return None

    def put(self, key: Hashable, version: Hashable, value: object) -> None:
        weight = _weight(value) if self.max_bytes else 0
        with self._lock:
            self._bytes += weight - self._weights.pop(key, 0)
            self._entries[key] = (version, value, time.monotonic())
            self._weights[key] = weight
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries or (
                self.max_bytes and self._bytes > self.max_bytes and len(self._entries) > 1
            ):
                oldest, _ = self._entries.popitem(last=False)
                self._bytes -= self._weights.pop(oldest, 0)

    def get(
        self,
        key: Hashable,
        version: Hashable,
        compute: Callable[[], T],
        max_age: float = 0,
        keep: Callable[[T], bool] | None = None,
        stale_for: float = 0,
        in_background: Callable[[Callable[[], object]], None] | None = None,
        give_kept: bool = False,
    ) -> T:
        """The value kept for `key` if it was computed at `version` (or, with `max_age`, less
        than that many seconds ago), else `compute()`, kept (if `keep` says so).

        One thread computes a key at a time. With `max_age`, the others get the value kept
        before, if there is one; with none kept, they wait for that thread's value rather than
        compute it again at the same moment (four threads computing one insights dashboard
        at once each took four times as long, and every request behind them waited).

        With `stale_for` and `in_background`, a value up to `stale_for` seconds older than
        `max_age` is still given at once, while `in_background` computes the new one: the
        viewer does not wait, and the next one gets the new value. With `give_kept`, whatever
        is kept for `key` goes to the others while one thread computes it anew."""
        value = self.peek(key, version, max_age)
        if value is not None:
            return value
        if stale_for and in_background is not None:
            stale = self.peek(key, version, max_age + stale_for)
            if stale is not None:
                with self._lock:
                    if key in self._computing:
                        return stale
                    self._computing[key] = done = threading.Event()
                in_background(lambda: self._compute(key, version, compute, keep, done))
                return stale
        with self._lock:
            entry = self._entries.get(key)
            computing = self._computing.get(key)
            if computing is not None and (max_age or give_kept) and entry is not None:
                return entry[1]  # type: ignore[return-value]
            if computing is None:
                self._computing[key] = done = threading.Event()
        if computing is not None:
            computing.wait(WAIT_SECONDS)
            value = self.peek(key, version, max_age)
            if value is not None:
                return value
            return self._compute(key, version, compute, keep, None)
        return self._compute(key, version, compute, keep, done)

    def _compute(self, key, version, compute, keep, done: threading.Event | None):
        try:
            value = compute()
            if keep is None or keep(value):
                self.put(key, version, value)
            return value
        finally:
            if done is not None:
                with self._lock:
                    self._computing.pop(key, None)
                done.set()


def community_version() -> tuple:
    """The newest activity event (an index lookup). Its time is part of the version so that a
    database emptied and filled again never passes for the one a result was computed from.

    Read once per request: a page asks for it for each result it keeps. The request's
    session forgets it whenever it writes (or ends a transaction), so a page made after a
    write never passes for one made before it."""
    if not has_app_context():
        return _newest_event()
    if "community_version" not in g:
        g.community_version = _newest_event()
    return g.community_version


@functools.cache
def _newest_event_query() -> Select:
    """Built once, as every request reads it (see `accounts.auth._member_query`)."""
    return (
        select(ActivityEvent.id, ActivityEvent.created_at)
        .order_by(ActivityEvent.id.desc())
        .limit(1)
    )


def _newest_event() -> tuple:
    newest = db.session.execute(_newest_event_query()).first()
    return tuple(newest) if newest else (0, None)


def with_community_version(query: Select) -> Select:
    """`query` with the community version read alongside, as its rows' last two columns (to
    pass to `note_community_version`): a member's page then reads it with the member, one
    round trip fewer on each of their requests."""
    newest = _newest_event_query().subquery("newest_event")
    return query.add_columns(newest.c.id, newest.c.created_at).outerjoin(newest, true())


def note_community_version(event_id: int | None, created_at) -> None:
    """The version read by a `with_community_version` query, for the rest of the request."""
    g.community_version = (0, None) if event_id is None else (event_id, created_at)


@event.listens_for(db.session, "after_flush")
@event.listens_for(db.session, "after_commit")
@event.listens_for(db.session, "after_soft_rollback")
def _forget_version(session, *_args) -> None:
    if has_app_context():
        g.pop("community_version", None)


def cached(
    name: str,
    *args: Hashable,
    compute: Callable[[], T],
    max_age: float = 0,
    stale_for: float = 0,
    version: Callable[[], Hashable] = community_version,
    store: str = "portal_versioned_cache",
) -> T:
    """`compute()`, or the result it gave for the same name and arguments at this version.

    `max_age` also reuses a result computed less than that many seconds ago at an older
    version: for figures where a short delay is fine and recomputing on every write is not.
    `stale_for` gives a result up to that many seconds older still at once, and computes the
    new one in a thread of its own (see `VersionedCache.get`).
    A `store` of its own keeps a few costly results from being pushed out by many cheap ones."""
    cache = current_app.extensions.setdefault(store, VersionedCache())
    return cache.get(
        (name, *args),
        version(),
        compute,
        max_age,
        stale_for=stale_for,
        in_background=_in_a_thread if stale_for else None,
    )


def _in_a_thread(work: Callable[[], object]) -> None:
    """Run `work` in a thread of its own, in a copy of this request's context (its own app
    context, `g` and database session), marked as work after the response. A failure is
    logged; the next view past the kept value's age tries again."""
    app = current_app._get_current_object()

    @copy_current_request_context
    def run() -> None:
        with after_response_work():
            try:
                work()
            except Exception:
                app.logger.exception("Computing a kept result anew failed")

    threading.Thread(target=run, name="portal-refresh", daemon=True).start()
