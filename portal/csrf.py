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


def is_form_view(endpoint: str | None) -> bool:
    """The view at `endpoint` shows its form again with what was typed (see `form_view`)."""
    view = current_app.view_functions.get(endpoint or "")
    return view is not None and getattr(view, "keeps_input_on_csrf_error", False)


def rerender_form_after_csrf_error(description: str):
    """The marked view's response for this request, or None when the view is not marked."""
    if not is_form_view(request.endpoint):
        return None
    g.csrf_error = description
    view = current_app.view_functions[request.endpoint]
    try:
        return view(**(request.view_args or {}))
    except Exception as error:
        # Running inside an error handler, a 404 or 403 the view raises would otherwise end as
        # a 500; the app's handlers answer it as usual (and re-raise what they do not handle).
        return current_app.handle_user_exception(error)
