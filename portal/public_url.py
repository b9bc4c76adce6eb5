"""The portal's public address (PORTAL_BASE_URL). Absolute links that leave the site (mail,
canonical and share links) are built on it and never on a request's Host header, which the
sender chooses; requests for a host not in TRUSTED_HOSTS are refused with a 400."""

from urllib.parse import quote, urlsplit

from flask import Flask, current_app, request
from werkzeug.exceptions import SecurityError
from werkzeug.routing import MapAdapter

UNTRUSTED_HOST = "This site does not answer to that host name."


def public_url(endpoint: str, *, _anchor: str | None = None, **values) -> str:
    """`url_for(endpoint, **values)` as an absolute URL on the configured public address."""
    app = current_app._get_current_object()
    app.inject_url_defaults(endpoint, values)
    url = _adapter(app).build(endpoint, values, force_external=True)
    if _anchor is not None:
        url += "#" + quote(_anchor, safe="%!#$&'()*+,/:;=?@")  # as url_for quotes it
    return url


def site_path(endpoint: str, **values) -> str:
    """The path of a page of this site, built without a request (CLI, worker, batches):
    what notifications store."""
    return current_app.url_map.bind("").build(endpoint, values)


def _adapter(app: Flask) -> MapAdapter:
    """The URL map bound to the public address, made once per app (binding costs more than
    building a URL) and again if the address changes (a test's live server)."""
    base_url = app.config["BASE_URL"]
    kept = app.extensions.get("public_url_adapter")
    if kept is None or kept[0] != base_url:
        parts = urlsplit(base_url)
        adapter = app.url_map.bind(
            parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
        )
        kept = app.extensions["public_url_adapter"] = (base_url, adapter)
    return kept[1]


def refuse_untrusted_host():
    """Flask checks the Host against TRUSTED_HOSTS while it routes and keeps the refusal for
    dispatch; raise it first, so none of the other before-request hooks (rate limits, CSRF,
    kept pages) runs for a host the site does not serve."""
    if isinstance(request.routing_exception, SecurityError):
        raise request.routing_exception


def untrusted_host(_error: SecurityError):
    # Plain text: the site's layout builds URLs, which a refused host cannot.
    return UNTRUSTED_HOST, 400, {"Content-Type": "text/plain; charset=utf-8"}


def register(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_untrusted_host)
    app.register_error_handler(SecurityError, untrusted_host)
