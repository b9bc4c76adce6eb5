"""Kept pages and parts of pages, by what the viewer may do.

A view decorated with `kept_page(...)` names the permissions its page varies on. A viewer's
*viewer class* is the set of those permissions they hold (see `permissions.py`), and whether
they are signed in: two viewers of one class see the same content, whatever their role is
called. Content kept for a class is rendered with `can()` asked only about the declared
permissions (`checked_can` refuses any other), so a rule added later that depends on the
person cannot leak one viewer's controls to another: it must be declared, and then it splits
the class. Ownership (my post, my vote) is not a class: `post_page` gives a viewer with
something of their own on the page content made for them.

Anonymous visitors all share one class, so their pages are kept whole, as UTF-8 bytes, for
at most a minute: relative times ("3 minutes ago") and the few changes that record no event
(a member's new display name) show up within that minute. Signed-in viewers get the kept
parts in a layout of their own (their name, notifications and form token). Forms inside kept
content carry no token: `portal.csrf` takes the browser's word that they were sent from here.
"""

import functools
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from flask import Response, current_app, g, request, session
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import Select

from portal.accounts.permissions import Permission, can, offered
from portal.caching.results import VersionedCache, community_version
from portal.extensions import db

T = TypeVar("T")
P = TypeVar("P")  # a page's content, apart from its layout
MAX_PAGES = 512
PAGE_BYTES = 8 * 2**20  # per store of pages or parts, kept encoded: 25 pages of 50 answers
PAGE_SECONDS = 60
KEPT_MEMBERS = 100  # at most, of the voters kept with a page's content (about 7 KB)
VIEWER_BITS = 4096  # viewers' own bits kept at once, per process (a few hundred bytes each)


@dataclass(frozen=True)
class ViewerClass:
    """What a page's content may depend on for this viewer."""

    signed_in: bool
    holds: frozenset[Permission]


class UndeclaredPermission(RuntimeError):
    """Kept content asked about a permission its page does not vary on."""


def viewer_class(varies_on: Iterable[Permission] | None = None) -> ViewerClass:
    """The current viewer's class on this page (or for `varies_on`)."""
    if varies_on is None:
        varies_on = g.get("page_varies_on", frozenset())
    return ViewerClass(
        bool(current_user.is_authenticated),
        frozenset(permission for permission in varies_on if can(current_user, permission)),
    )


def checked_can(user, permission: Permission, obj=None) -> bool:
    """`can()` for templates: while content kept for a viewer class renders, only the
    permissions the page declared may be asked about."""
    _check_declared(permission)
    return can(user, permission, obj)


def checked_offered(permission: Permission, obj=None, user=None) -> bool:
    _check_declared(permission)
    return offered(permission, obj, user)


def viewer_slot(name: str) -> Markup:
    """A place in content kept for a viewer class for a small part that is the viewer's own
    (what they follow): the view fills it for each request (`fill_slot`), so the rest of
    the content stays kept."""
    return Markup(f"<!--viewer:{name}-->")


def fill_slot(kept: str, name: str, html: str) -> Markup:
    return Markup(kept.replace(f"<!--viewer:{name}-->", html, 1))


def rendering_kept_content() -> bool:
    """Whether content kept for a viewer class (not for this viewer alone) is rendering."""
    return g.get("kept_rendering") is not None


def _check_declared(permission: Permission) -> None:
    rendering = g.get("kept_rendering")
    if rendering is not None and permission not in rendering:
        raise UndeclaredPermission(
            f"{request.endpoint} keeps content that asks about {permission!r}: "
            "add it to the page's kept_page(...)"
        )


def _rendering_kept(render: Callable[[], T]) -> Callable[[], T]:
    """`render`, checked against the page's declared permissions while it runs."""

    def checked() -> T:
        g.kept_rendering = g.get("page_varies_on", frozenset())
        try:
            return render()
        finally:
            g.pop("kept_rendering", None)

    return checked


def _page_version() -> tuple:
    """A kept page's version: the community's, and the minute (see the module's docstring).
    A page is kept per URL, and a new version replaces the one kept before.

    Each URL's minute starts at a second of its own, so the pages kept by a process do not
    all expire at once: with one minute for all, every busy page was made anew in the same
    second (the slowest requests of a benchmark's run, whichever page it measured)."""
    url = request.full_path
    offset = zlib.crc32(url.encode()) % PAGE_SECONDS
    return (*community_version(), int((time.time() + offset) // PAGE_SECONDS))


def _store(name: str) -> VersionedCache:
    return current_app.extensions.setdefault(name, VersionedCache(MAX_PAGES, PAGE_BYTES))


def _keeping() -> bool:
    return current_app.config["PAGE_CACHE"]


def kept_part(render: Callable[[], T], suits: Callable[[T], bool] | None = None) -> T:
    """A part of this page for the viewer's class: the one kept for this URL if `suits(part)`
    holds for this viewer (or there is no `suits`), else `render()`, kept if it suits this
    viewer (then it suits the others of the class). Kept like a page: per URL, version and
    minute.

    A viewer it does not suit (they asked, answered or voted on the page) gets the part made
    for them, kept for them alone at this version: the asker coming back to see new answers
    is the most frequent reader of a question, and the most costly to serve otherwise."""
    render = _rendering_kept(render)
    if not _keeping():
        return render()
    kept = _store("portal_shared_parts")
    key, version = (viewer_class(), request.full_path), _page_version()
    part = kept.peek(key, version)
    if part is not None and (suits is None or suits(part)):
        return part
    own_key = None
    if suits is not None and current_user.is_authenticated:
        own_key = ("viewer", current_user.id, request.full_path)
        own = kept.peek(own_key, version)
        if own is not None:
            return own
    if suits is None:
        return kept.get(key, version, render, give_kept=True)
    part = render()
    if suits(part):
        kept.put(key, version, part)
    elif own_key is not None:
        kept.put(own_key, version, part)
    return part


def kept_for_viewer(render: Callable[[], T]) -> T:
    """A signed-in viewer's own bit of this page (which of the board's ideas they voted for),
    kept for them alone at this version of the community and minute: their own votes record
    events, so a vote is seen at once. Anonymous visitors have nothing of their own."""
    if not _keeping() or not current_user.is_authenticated:
        return render()
    kept = current_app.extensions.setdefault(
        "portal_viewer_bits", VersionedCache(VIEWER_BITS, PAGE_BYTES // 8)
    )
    return kept.get(("viewer", current_user.id, request.full_path), _page_version(), render)


def few_members(*user_ids: Select) -> frozenset[int] | None:
    """The user ids the queries select, for keeping with a page's content so that `post_page`
    can tell whether a member has something on the page with no statement of its own; None
    past KEPT_MEMBERS of them (a popular page: then ask about the one member), and None
    without a query for an anonymous visitor (whose page is never theirs).

    Each query reads at most KEPT_MEMBERS + 1 rows, so a popular page costs no more than a
    small one (deduplicating an idea's 23,000 voters and followers in SQL took 17 ms); a
    query that reaches the limit gives None, even if some of its ids repeat."""
    if not current_user.is_authenticated:
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
    viewer's layout, and `suits(content)` says whether content kept for the viewer's class
    fits this one (nothing of theirs is on it).

    An anonymous visitor gets the whole page another anonymous visitor got; a signed-in viewer
    gets the content kept for their class, in their own layout."""

    def page(found):
        return found if isinstance(found, Response) else render(found)

    if current_user.is_authenticated:
        return page(kept_part(load, _fitting(suits)))
    return _for_anonymous(lambda: page(_rendering_kept(load)()))  # see kept_page(whole=False)


def _fitting(suits: Callable[[P], bool]) -> Callable[[object], bool]:
    return lambda found: not isinstance(found, Response) and suits(found)


def _for_anonymous(render: Callable[[], T]) -> T | bytes:
    """A whole page: `render()` for a signed-in viewer; for an anonymous visitor, the page
    another anonymous visitor got for the same URL, as UTF-8 bytes. Only a page is kept: a
    redirect or an error from `render()` is answered as it comes.

    While one thread renders a new version, the others get the page kept before rather than
    wait: when a minute turned, every thread asking for a busy page waited for one of them to
    render it (the slowest requests of a page under load).

    Kept encoded, a page takes half the memory: our pages hold a few characters past Latin-1
    ("→", "✓"), so Python keeps every character of the string in two bytes (a question page
    of 18,000 characters took 36 KB as text, 18 KB encoded), and it is not encoded again for
    each visitor."""
    if current_user.is_authenticated or "_flashes" in session or not _keeping():
        return render()
    return _store("portal_page_cache").get(
        request.full_path,
        _page_version(),
        lambda: _encoded(render()),
        keep=is_page,
        give_kept=True,
    )


def _encoded(page: T) -> T | bytes:
    return page.encode() if isinstance(page, str) else page


def is_page(found: object) -> bool:
    """A page to answer with (text, or a kept page's bytes), not a redirect or an error."""
    return isinstance(found, str | bytes)


def kept_page(*varies_on: Permission, whole: bool = True) -> Callable:
    """Decorate a read-only view whose page depends on its URL and, for the viewer, on which
    of `varies_on` they hold. Anonymous visitors get the page kept whole (with `whole=False`,
    the view keeps it through `post_page`, and runs on every visit); the view's `kept_part`s
    and `post_page` are kept per viewer class."""

    def decorate(view: Callable[..., str]) -> Callable[..., str | bytes]:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            g.page_varies_on = frozenset(varies_on)
            if not whole:
                return view(*args, **kwargs)
            return _for_anonymous(lambda: view(*args, **kwargs))

        return wrapper

    return decorate
