from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from portal.accounts.permissions import Permission, require
from portal.announcements import bp
from portal.announcements.forms import AnnouncementForm
from portal.announcements.models import Announcement
from portal.announcements.queries import announcements_for, audience_choices, may_see
from portal.announcements.services import audience_size, check_audience, publish, send_test
from portal.csrf import form_view
from portal.extensions import db
from portal.forms import select_choices
from portal.markdown import render_markdown
from portal.writes import REFUSED, Refused, write


@bp.get("/announcements")
def index():
    return render_template(
        "announcements/index.html", announcements=announcements_for(current_user)
    )


@bp.get("/announcements/<int:announcement_id>")
def announcement(announcement_id: int):
    found = db.get_or_404(Announcement, announcement_id)
    if not may_see(found, current_user):
        abort(404)
    return render_template("announcements/announcement.html", announcement=found)


@bp.route("/announcements/new", methods=["GET", "POST"])
@login_required
@form_view
def new():
    """Write, preview (with how many it reaches), send a test to oneself, then send."""
    require(Permission.ANNOUNCE)
    form = AnnouncementForm()
    form.audience.choices = select_choices(audience_choices())
    preview = reach = None
    if form.validate_on_submit():
        action = request.form.get("action", "preview")
        values = {"title": form.title.data, "body": form.body.data}
        if action == "send":
            sent = write(
                lambda: publish(
                    current_user,
                    **values,
                    audience_choice=form.audience.data,
                    company=form.company.data,
                ),
                form=form,
            )
            if sent is not REFUSED:
                flash("The announcement is published; its audience hears of it now.", "success")
                return redirect(url_for(".announcement", announcement_id=sent.id))
        elif action == "test":
            if write(lambda: send_test(current_user, **values), form=form) is not REFUSED:
                flash(f"A test is on its way to {current_user.email}.", "success")
        else:
            try:
                chosen = check_audience(form.audience.data, form.company.data)
                reach = audience_size(chosen, but=current_user.id)
            except Refused as refused:
                form[refused.field or "audience"].errors = [refused.message]
            preview = Markup(render_markdown(form.body.data))
    return render_template("announcements/new.html", form=form, preview=preview, reach=reach)
