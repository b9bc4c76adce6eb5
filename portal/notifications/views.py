from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.notifications import bp
from portal.notifications.services import mark_read, notifications_for
from portal.pagination import paginate
from portal.redirects import safe_url
from portal.writes import write


@bp.get("")
@login_required
def index():
    page = paginate(notifications_for(current_user), per_page=30)
    return render_template("notifications/index.html", page=page)


@bp.post("/<int:notification_id>/open")
@login_required
def open_notification(notification_id: int):
    notification = write(lambda: mark_read(current_user, notification_id))
    if notification is None:
        abort(404)
    return redirect(safe_url(notification.url, fallback=url_for(".index")))


@bp.post("/read")
@login_required
def read_all():
    write(lambda: mark_read(current_user))
    flash("All notifications marked as read.", "success")
    return redirect(url_for(".index"))
