"""Who calls: the owner of the bearer token in the Authorization header, or an anonymous
reader. The site's session cookie is ignored here, so a page on another site cannot make a
member's browser call the API as them (no CSRF), and a token is never read from a cookie."""

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, abort, current_app, g, request
from flask_limiter.util import get_remote_address

from portal.accounts.api_tokens import authenticate
from portal.writes import problem

SCHEME = "Bearer"


def register(bp: Blueprint) -> None:
    bp.before_request(_authenticate)
    bp.after_request(_vary)


def _authenticate() -> None:
    g.api_token = None
    # Flask-Login reads the viewer from here before it looks at the session.
    g._login_user = current_app.login_manager.anonymous_user()
    header = request.headers.get("Authorization")
    if header is None:
        return
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != SCHEME.lower() or not secret.strip():
        abort(_unauthorized("Send the token as: Authorization: Bearer <token>."))
    token = authenticate(secret.strip())
    if token is None:
        abort(_unauthorized("That token is not valid: it may be mistyped, revoked or expired."))
    g.api_token = token
    # Flask-Login's users are equal when their ids are: give the caller one of its own.
    token.user.login_session_key = f"api-token-{token.id}"
    g._login_user = token.user


def _vary(response):
    """Answers depend on the caller: a cache must not hand one caller's to another."""
    response.vary.add("Authorization")
    return response


def _unauthorized(detail: str, error: str = "invalid_token"):
    response = problem(401, detail)
    response.headers["WWW-Authenticate"] = f'{SCHEME} realm="api", error="{error}"'
    return response


def rate_key() -> str:
    """Limits count per token; callers without one, per address."""
    token = g.get("api_token")
    return f"api-token:{token.id}" if token is not None else f"api-ip:{get_remote_address()}"


def caller():
    """The token's owner, or an anonymous reader: also Flask-Login's `current_user` here, so
    the pages' loaders (`get_question_or_404`...) see the caller too."""
    return g._login_user


def scoped(scope: str) -> Callable:
    """The view needs a token with `scope` (anonymous callers may read without one)."""

    def decorate(view):
        @wraps(view)
        def checked(*args, **kwargs):
            token = g.get("api_token")
            if token is None:
                if scope != "read":
                    abort(_unauthorized("This call needs a token.", error="invalid_request"))
            elif scope not in token.scope_set:
                response = problem(403, f"This token lacks the {scope} scope.", scope=scope)
                response.headers["WWW-Authenticate"] = (
                    f'{SCHEME} realm="api", error="insufficient_scope", scope="{scope}"'
                )
                abort(response)
            return view(*args, **kwargs)

        checked.api_scope = scope
        return checked

    return decorate
