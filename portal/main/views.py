from flask import Response, abort, jsonify, render_template, request, send_from_directory
from flask_login import current_user
from markupsafe import Markup

from portal.accounts.permissions import Permission, can
from portal.caching import kept_page, kept_part
from portal.extensions import db, limiter
from portal.main import bp
from portal.main.home import home_sections
from portal.markdown import render_markdown
from portal.site.services import get_settings, upload_dir

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
    return jsonify(html=render_markdown(text))


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
