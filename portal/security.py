"""Security headers on every response."""

from flask import Flask, current_app, g, request, session
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # No remote images: one in a post would tell its host who read the post (Markdown
        # makes them links; this stops any that got through). data: for plotly's exports.
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# plotly.js injects <style> elements and style attributes while drawing; pages with charts
# allow inline *styles* (never inline scripts). Markdown is sanitised, so no one else can add any.
CHART_PAGE_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


def allow_chart_styles(response):
    response.headers["Content-Security-Policy"] = CHART_PAGE_POLICY
    return response


PRIVATE = "private, no-store"


def is_shared_file(response) -> bool:
    """A file that is the same for everyone: the static folder, or a view that serves one
    and says so (the brand logo and stylesheet answer `Cache-Control: public`)."""
    return request.endpoint == "static" or bool(response.cache_control.public)


def is_personal(response) -> bool:
    """A response no cache but the person's own browser memory may keep: it is for someone
    signed in, sets a cookie, or carries a form's CSRF token (tied to that browser's
    session). Anonymous pages carry none of these and stay cacheable."""
    app = current_app
    return (
        current_user.is_authenticated
        or app.config["WTF_CSRF_FIELD_NAME"] in g
        or "Set-Cookie" in response.headers
        # The session cookie is written after every after_request function has run.
        or app.session_interface.should_set_cookie(app, session)
    )


def register(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response):
        if not is_shared_file(response) and is_personal(response):
            response.headers["Cache-Control"] = PRIVATE
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
