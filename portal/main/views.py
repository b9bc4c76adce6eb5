from flask import (
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup

from portal.accounts.permissions import Permission, can
from portal.accounts.services import accept_current_guidelines
from portal.caching import kept_page, kept_part
from portal.csrf import form_view
from portal.extensions import db, limiter
from portal.main import bp
from portal.main.home import home_sections
from portal.markdown import render_markdown
from portal.mentions import mention_links, suggestions
from portal.redirects import safe_url
from portal.site.services import get_settings, upload_dir
from portal.writes import write

PREVIEW_MAX_CHARS = 30_000
LOGO_MIMETYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}


@bp.get("/")
@kept_page()
def home():
    sections_html = kept_part(
        lambda: Markup(render_template("main/_sections.html", sections=home_sections()))
    )
    return render_template("main/home.html", sections_html=sections_html)


@bp.get("/guidelines")
def guidelines():
    return render_template("main/guidelines.html", settings=get_settings())


# What a member who must accept the guidelines again may still reach.
BEFORE_ACCEPTING = {"static", "main.guidelines", "main.accept_guidelines", "accounts.logout"}


@bp.before_app_request
def _guidelines_accepted_again():
    """A signed-in member accepts the guidelines before going on: on their first visit (one
    who joined through their company's sign-in never saw the registration form's box) and
    again after a material change."""
    if request.endpoint in BEFORE_ACCEPTING or request.path.startswith("/api/"):
        return None
    if not current_user.is_authenticated:
        return None
    since = get_settings().guidelines_accept_again_since
    accepted = current_user.guidelines_accepted_at
    if accepted is not None and (since is None or accepted >= since):
        return None
    return redirect(url_for("main.accept_guidelines", next=request.full_path))


@bp.route("/guidelines/accept", methods=["GET", "POST"])
@login_required
@form_view
def accept_guidelines():
    back = safe_url(request.args.get("next"), fallback=url_for(".home"))
    if request.method == "POST":
        write(lambda: accept_current_guidelines(current_user))
        flash("Thanks for accepting the guidelines.", "success")
        return redirect(back)
    return render_template("main/accept_guidelines.html", settings=get_settings(), back=back)


@bp.post("/markdown/preview")
@limiter.limit("60 per minute")
def markdown_preview():
    """The HTML a Markdown field will produce, for the editor's Preview tab."""
    if not can(current_user, Permission.POST):
        abort(403)
    text = request.form.get("text", "")
    if len(text) > PREVIEW_MAX_CHARS:
        return jsonify(
            error=f"Too long to preview (at most {PREVIEW_MAX_CHARS:,} characters)."
        ), 400
    return jsonify(html=render_markdown(text, mention_links(text)))


@bp.get("/mentions")
@login_required
@limiter.limit("120 per minute")
def mention_suggestions():
    """Members whose name starts with ?q=, for the editor's "@" autocomplete: for those who
    may post, who alone can mention anyone."""
    if not can(current_user, Permission.POST):
        abort(403)
    return jsonify(members=suggestions(request.args.get("q", "")[:60]))


@bp.get("/brand.css")
def brand_css():
    """The brand colour as a CSS custom property: a stylesheet, so the CSP needs no inline style."""
    color = get_settings().primary_color
    css = f":root {{ --brand: {color}; }}\n"
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/brand/logo/<path:filename>")
def brand_logo(filename: str):
    settings = get_settings()
    if not settings.logo_filename or filename != settings.logo_filename:
        abort(404)
    # Logos uploaded before they were drawn again as PNG keep their type; nosniff (see
    # portal.security) stops a browser from reading one as anything but that image type.
    mimetype = LOGO_MIMETYPES.get(filename.rsplit(".", 1)[-1])
    if mimetype is None:
        abort(404)
    return send_from_directory(upload_dir(), filename, mimetype=mimetype, max_age=86400)


@bp.get("/healthz")
def healthz():
    db.session.execute(db.select(1))
    return jsonify(status="ok")
