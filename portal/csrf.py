"""Friendly handling of an expired or missing CSRF token.

CSRFProtect checks every POST before any view runs. For a page that shows a form, a failed check
should not throw away what the person typed: views marked `@form_view` are run again, their form
fails its own CSRF validation (so nothing is written) and re-renders with the input and a message.
Every other POST gets a plain 400 page.
"""

from flask import current_app, g, request


def form_view(view):
    view.keeps_input_on_csrf_error = True
    return view


def rerender_form_after_csrf_error(description: str):
    """The marked view's response for this request, or None when the view is not marked."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or not getattr(view, "keeps_input_on_csrf_error", False):
        return None
    g.csrf_error = description
    return view(**(request.view_args or {}))
