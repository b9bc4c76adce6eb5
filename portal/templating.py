"""Jinja globals and filters shared by every template."""

from datetime import datetime

from flask import Flask, current_app, g, has_request_context, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from portal.accounts.models import Role
from portal.accounts.permissions import Permission
from portal.attachments import attached_to
from portal.caching import checked_can, checked_offered, rendering_kept_content, viewer_slot
from portal.clock import utcnow
from portal.moderation.models import REASONS as FLAG_REASONS
from portal.moderation.queries import open_count
from portal.public_url import public_url
from portal.site.services import get_settings


def has_endpoint(name: str) -> bool:
    """Lets the layout link to features that are installed (e.g. search) and skip others."""
    return name in current_app.view_functions


def fixed_url(endpoint: str, **values) -> str:
    """`url_for` for the layout's links (stylesheets, scripts, the menu): they depend on their
    arguments and where the app is mounted, nothing else, so each is built once per process
    rather than twenty times on every page a member gets (a tenth of a signed-in page's time)."""
    built = current_app.extensions.setdefault("portal_fixed_urls", {})
    key = (request.script_root, endpoint, *sorted(values.items()))
    url = built.get(key)
    if url is None:
        url = built[key] = url_for(endpoint, **values)
    return url


def query_args() -> dict[str, str]:
    """This page's query string, for links to it with another page or query: without the names
    url_for takes for itself (`endpoint`, `_external`, `_scheme`...), which break the link."""
    return {
        name: value
        for name, value in request.args.items()
        if name != "endpoint" and not name.startswith("_")
    }


def relative_time(moment: datetime | None, now: datetime | None = None) -> str:
    if moment is None:
        return ""
    seconds = int(((now or utcnow()) - moment).total_seconds())
    if seconds < 45:
        return "just now"
    for unit, size in (
        ("year", 31_536_000),
        ("month", 2_592_000),
        ("day", 86_400),
        ("hour", 3_600),
        ("minute", 60),
    ):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def time_tag(moment: datetime | None) -> Markup:
    """<time> with the exact UTC moment in its title and a relative text (all made here from
    a datetime: nothing to escape)."""
    if moment is None:
        return Markup("")
    iso = moment.isoformat(timespec="seconds")
    exact = f"{iso[:10]} {iso[11:16]} UTC"
    return Markup(f'<time datetime="{iso}Z" title="{exact}">{relative_time(moment)}</time>')


def csrf_token() -> str:
    """The form token, made once per request: a question page has a form per vote button."""
    token = g.get("portal_csrf_token")
    if token is None:
        token = g.portal_csrf_token = generate_csrf()
    return token


def csrf_field() -> Markup:
    """A form's token field; none in content kept for a viewer class, which serves viewers
    whose tokens differ: the browser vouches for those forms (see `portal.csrf`)."""
    if rendering_kept_content():
        return Markup("")
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % csrf_token()


def compact_number(value: int) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}m".replace(".0m", "m")
    if abs(value) >= 10_000:
        return f"{value // 1000}k"
    if abs(value) >= 1_000:
        return f"{value / 1000:.1f}k".replace(".0k", "k")
    return str(value)


def review_queue_size() -> int:
    """Open review items, for a moderator's header: counted once per request, when shown."""
    if "review_queue_size" not in g:
        g.review_queue_size = open_count()
    return g.review_queue_size


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        can=checked_can,  # kept content may ask only what its page varies on
        offered=checked_offered,
        Permission=Permission,
        Role=Role,
        has_endpoint=has_endpoint,
        fixed_url=fixed_url,
        csrf_token=csrf_token,
        csrf_field=csrf_field,
        query_args=query_args,
        flag_reasons=FLAG_REASONS,
        review_queue_size=review_queue_size,
        viewer_slot=viewer_slot,  # kept content's place for a part of the viewer's own
        attached_to=attached_to,  # polls under a post (portal/attachments.py)
    )
    app.jinja_env.globals["public_url"] = public_url  # absolute links that leave the site
    app.jinja_env.filters.update(timeago=relative_time, time_tag=time_tag, compact=compact_number)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def layout_context():
        unread = 0
        if has_request_context() and current_user.is_authenticated:
            unread = current_user.unread_notification_count  # loaded with the member
        # csrf_token: ours over Flask-WTF's (its context processor would win over the global).
        return {
            "site": get_settings(),
            "unread_notifications": unread,
            "csrf_token": csrf_token,
        }
