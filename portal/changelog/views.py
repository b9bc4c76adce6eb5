from xml.etree import ElementTree

from flask import Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.accounts.permissions import Permission, can, require
from portal.changelog import bp
from portal.changelog.forms import EntryForm
from portal.changelog.models import ChangelogEntry
from portal.changelog.queries import entries
from portal.changelog.services import ideas_named, publish_entry
from portal.clock import utcnow
from portal.csrf import form_view
from portal.extensions import db
from portal.public_url import public_url
from portal.site.services import get_settings
from portal.writes import REFUSED, write

ATOM = "http://www.w3.org/2005/Atom"


@bp.get("/changelog")
def index():
    return render_template(
        "changelog/index.html",
        entries=entries(),
        may_publish=can(current_user, Permission.MANAGE_IDEAS),
    )


@bp.get("/changelog/<int:entry_id>")
def entry(entry_id: int):
    found = db.get_or_404(ChangelogEntry, entry_id)
    return render_template("changelog/entry.html", entry=found)


@bp.route("/changelog/new", methods=["GET", "POST"])
@login_required
@form_view
def new():
    require(Permission.MANAGE_IDEAS)
    form = EntryForm()
    if form.validate_on_submit():
        published = write(
            lambda: publish_entry(
                current_user,
                title=form.title.data,
                body=form.body.data,
                ideas=ideas_named((form.ideas.data or "").splitlines()),
            ),
            form=form,
        )
        if published is not REFUSED:
            flash(
                f"Published. {published.voters_told} voters and followers and "
                f"{published.askers_told} askers will hear of it.",
                "success",
            )
            return redirect(url_for(".entry", entry_id=published.id))
    return render_template("changelog/form.html", form=form)


@bp.get("/changelog.atom")
def feed():
    """The changelog as an Atom feed; every link on the configured public address."""
    ElementTree.register_namespace("", ATOM)
    listed = entries()
    root = ElementTree.Element(f"{{{ATOM}}}feed")

    def add(parent, tag: str, text: str | None = None, **attributes) -> ElementTree.Element:
        element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        element.text = text
        return element

    home = public_url("changelog.index")
    add(root, "title", f"{get_settings().community_name}: what shipped")
    add(root, "id", home)
    add(root, "link", href=home)
    add(root, "link", rel="self", href=public_url("changelog.feed"))
    updated = max((e.published_at for e in listed), default=utcnow())
    add(root, "updated", f"{updated.isoformat(timespec='seconds')}Z")
    for item in listed:
        url = public_url("changelog.entry", entry_id=item.id)
        node = add(root, "entry")
        add(node, "title", item.title)
        add(node, "id", url)
        add(node, "link", href=url)
        add(node, "updated", f"{item.published_at.isoformat(timespec='seconds')}Z")
        if item.author is not None:
            add(add(node, "author"), "name", item.author.display_name)
        add(node, "content", item.body_html, type="html")
    body = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")
