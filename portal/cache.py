"""Results that are costly to compute and change only when the community does something.

Every write that changes what people see records an activity event in its transaction, so the
newest event is a version of the whole community: a result computed at one version is exact
until the next event. Each process keeps results keyed by name, arguments and that version;
reading the version is one primary-key lookup. A quiet community (or a page people read far
more often than they write) computes each result once.

Pages for anonymous visitors are the same for all of them, so they are kept whole (see
`anonymous_page`), for at most a minute: relative times ("3 minutes ago") and the few changes
that record no event (a member's new display name) show up within that minute.
"""

import dataclasses
import functools
import sys
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import (
    Response,
    copy_current_request_context,
    current_app,
    g,
    has_app_context,
    request,
    session,
)
from flask_login import current_user
from sqlalchemy import Select, event, select, true

from portal.accounts.models import Role
from portal.background import after_response_work
from portal.extensions import db
from portal.insights.models import ActivityEvent

T = TypeVar("T")
P = TypeVar("P")  # a page's content, apart from its layout
MAX_ENTRIES = 256
MAX_PAGES = 512
PAGE_BYTES = 8 * 2**20  # per store of pages or parts, kept encoded: 25 pages of 50 answers
PAGE_SECONDS = 60
WAIT_SECONDS = 30  # at most, for another thread computing the same value
KEPT_MEMBERS = 100  # at most, of the voters kept with a page's content (about 7 KB)


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


def _page_version() -> tuple:
    """A kept page's version: the community's, and the minute (see the module's docstring).
    A page is kept per URL, and a new version replaces the one kept before.

    Each URL's minute starts at a second of its own, so the pages kept by a process do not
    all expire at once: with one minute for all, every busy page was made anew in the same
    second (the slowest requests of a benchmark's run, whichever page it measured)."""
    url = request.full_path
    offset = zlib.crc32(url.encode()) % PAGE_SECONDS
    return (*community_version(), int((time.time() + offset) // PAGE_SECONDS))


def _kept(store: str, render: Callable[[], T], keep: Callable[[T], bool] | None = None) -> T:
    """`render()`, or what it gave for this URL at this community version in this minute.

    While one thread renders a new version, the others get the page kept before rather than
    wait: when a minute turned, every thread asking for a busy page waited for one of them to
    render it (the slowest requests of a page under load)."""
    if not current_app.config.get("PAGE_CACHE", True):
        return render()
    kept = current_app.extensions.setdefault(store, VersionedCache(MAX_PAGES, PAGE_BYTES))
    return kept.get(request.full_path, _page_version(), render, keep=keep, give_kept=True)


def plain_member() -> bool:
    """A member who may post and vote, with no message waiting: such members see the same
    page content unless something on it is their own (see `for_viewers_like`)."""
    return (
        current_user.is_authenticated
        and current_user.role == Role.MEMBER
        and not current_user.is_suspended
        and "_flashes" not in session
    )


def for_viewers_like(
    situation: Hashable, render: Callable[[], T], suits: Callable[[T], bool] | None = None
) -> T:
    """A part of a page shared by viewers in the same `situation` (for example: members with
    nothing of their own on the page): the part kept for this URL if `suits(part)` holds for
    this viewer (or there is no `suits`), else `render()`, kept if it suits this viewer (then
    it suits the others in that situation). Kept like a page: per URL, version and minute.

    A viewer it does not suit (they asked, answered or voted on the page) gets the part made
    for them, kept for them alone at this version: the asker coming back to see new answers
    is the most frequent reader of a question, and the most costly to serve otherwise."""
    if not current_app.config.get("PAGE_CACHE", True):
        return render()
    kept = current_app.extensions.setdefault(
        "portal_shared_parts", VersionedCache(MAX_PAGES, PAGE_BYTES)
    )
    key, version = (situation, request.full_path), _page_version()
    part = kept.peek(key, version)
    if part is not None and (suits is None or suits(part)):
        return part
    own_key = None
    if suits is not None and current_user.is_authenticated:
        own_key = ("viewer", current_user.id, request.full_path)
        own = kept.peek(own_key, version)
        if own is not None:
            return own
    part = render()
    if suits is None or suits(part):
        kept.put(key, version, part)
    elif own_key is not None:
        kept.put(own_key, version, part)
    return part


def few_members(*user_ids: Select) -> frozenset[int] | None:
    """The user ids the queries select, for keeping with a page's content so that `post_page`
    can tell whether a member has something on the page with no statement of its own; None
    past KEPT_MEMBERS of them (a popular page: then ask about the one member), and None
    without a query when the content is made for a viewer it is never shared with (see
    `plain_member`).

    Each query reads at most KEPT_MEMBERS + 1 rows, so a popular page costs no more than a
    small one (deduplicating an idea's 23,000 voters and followers in SQL took 17 ms); a
    query that reaches the limit gives None, even if some of its ids repeat."""
    if not plain_member():
        return None
    found: set[int] = set()
    for query in user_ids:
        ids = db.session.scalars(query.limit(KEPT_MEMBERS + 1)).all()
        if len(ids) > KEPT_MEMBERS:
            return None
        found.update(ids)
    return frozenset(found) if len(found) <= KEPT_MEMBERS else None


def post_page(
    load: Callable[[], P | Response],
    render: Callable[[P], str],
    suits: Callable[[P], bool],
) -> str | bytes | Response:
    """A question's or an idea's page. `load()` gives the page's content apart from its layout
    (or a response to answer instead, such as a redirect), `render` puts content in the
    viewer's layout, and `suits(content)` says whether content kept for members fits this one.

    An anonymous visitor gets the whole page another anonymous visitor got; a plain member gets
    the content kept for members with nothing of their own on it, in their own layout; anyone
    else (staff, a suspended member) gets it made for them."""

    def page(found):
        return found if isinstance(found, Response) else render(found)

    if plain_member():
        return page(for_viewers_like("member", load, _fitting(suits)))
    return for_anonymous(lambda: page(load()))


def _fitting(suits: Callable[[P], bool]) -> Callable[[object], bool]:
    return lambda found: not isinstance(found, Response) and suits(found)


def for_anonymous(render: Callable[[], T]) -> T | bytes:
    """A whole page: `render()` for a signed-in member; for an anonymous visitor, the page
    another anonymous visitor got for the same URL (kept as `_kept` says), as UTF-8 bytes.
    Only a page is kept: a redirect or an error from `render()` is answered as it comes.

    Look the page up before loading what it shows: a hit then costs no more than the version.
    A page kept at this version is still right: whatever would change it (an edit, a deletion)
    records an event.

    Kept encoded, a page takes half the memory: our pages hold a few characters past Latin-1
    ("→", "✓"), so Python keeps every character of the string in two bytes (a question page
    of 18,000 characters took 36 KB as text, 18 KB encoded), and it is not encoded again for
    each visitor."""
    if current_user.is_authenticated or "_flashes" in session:
        return render()
    return _kept("portal_page_cache", lambda: _encoded(render()), keep=is_page)


def _encoded(page: T) -> T | bytes:
    return page.encode() if isinstance(page, str) else page


def is_page(found: object) -> bool:
    """A page to answer with (text, or a kept page's bytes), not a redirect or an error."""
    return isinstance(found, str | bytes)


def for_everyone(render: Callable[[], T]) -> T:
    """A part of a page that is the same for every viewer of its URL (a list's rows)."""
    return _kept("portal_part_cache", render)


def anonymous_page(view: Callable[..., str]) -> Callable[..., str | bytes]:
    """Decorate a read-only view whose anonymous page depends only on its URL."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        return for_anonymous(lambda: view(*args, **kwargs))

    return wrapper
