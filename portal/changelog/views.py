from flask import Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.accounts.permissions import Permission, can, require
from portal.changelog import bp
from portal.changelog.feed import atom_feed
from portal.changelog.forms import EntryForm
from portal.changelog.models import ChangelogEntry
from portal.changelog.queries import entries
from portal.changelog.services import ideas_named, publish_entry
from portal.csrf import form_view
from portal.extensions import db
from portal.writes import REFUSED, write


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
    return Response(atom_feed(entries()), mimetype="application/atom+xml")
