"""Cross-site request forgery: who may send a form, and friendly handling of a failed check.

A browser says where a request comes from in `Sec-Fetch-Site` (Fetch Metadata), which no page
can set or forge; every browser we support sends it. A form posted by one of our own pages
(`same-origin`) needs no token: that is what lets content kept for a viewer class hold forms
without any one viewer's token in them. Everything else (another site, a sibling subdomain, a
browser too old to say) must carry the session's token, as before; `portal.js` adds it from the
layout's `<meta name="csrf-token">` to forms that have none.

CSRFProtect checks every POST before any view runs. For a page that shows a form, a failed check
should not throw away what the person typed: views marked `@form_view` are run again, their form
fails its own CSRF validation (so nothing is written) and re-renders with the input and a message.
Every other POST gets a plain 400 page.
"""

from flask import current_app, g, request
from flask_wtf.csrf import CSRFProtect


class BrowserVouchedCSRFProtect(CSRFProtect):
    def protect(self, apply_exemptions=False):
        if request.headers.get("Sec-Fetch-Site") == "same-origin":
            g.csrf_valid = True  # forms skip their own token check, as after a valid token
            return
        super().protect(apply_exemptions)


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
        # The check failed inside the app's own before-request work, so the view's blueprints
        # have not guarded it yet (admin's "admins only"): they must, before it shows anything.
        for blueprint in reversed(request.blueprints):
            for guard in current_app.before_request_funcs.get(blueprint, ()):
                answer = guard()
                if answer is not None:
                    return answer
        return view(**(request.view_args or {}))
    except Exception as error:
        # Running inside an error handler, a 404 or 403 the view raises would otherwise end as
        # a 500; the app's handlers answer it as usual (and re-raise what they do not handle).
        return current_app.handle_user_exception(error)
