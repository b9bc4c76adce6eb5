from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.csrf import form_view
from portal.extensions import csrf
from portal.follows.controls import what_they_follow
from portal.mail import bp
from portal.mail.forms import PreferencesForm
from portal.notifications.preferences import (
    TOPICS,
    mail_again,
    preferences_of,
    read_unsubscribe_token,
    set_preferences,
    stop_mail,
)
from portal.writes import REFUSED, write


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
@form_view
def preferences():
    chosen_before = {**preferences_of(current_user), "mail_paused": current_user.mail_paused}
    form = PreferencesForm(data=chosen_before)
    if form.validate_on_submit():
        chosen = {topic.name: form[topic.name].data for topic in TOPICS}
        done = write(
            lambda: set_preferences(current_user, chosen, mail_paused=form.mail_paused.data),
            form=form,
        )
        if done is not REFUSED:
            flash("Your notification settings are saved.", "success")
            return redirect(url_for(".preferences"))
    return render_template(
        "mail/preferences.html",
        form=form,
        topics=TOPICS,
        followed=what_they_follow(current_user),
    )


@bp.post("/settings/notifications/address")
@login_required
def address_works_again():
    write(lambda: mail_again(current_user))
    flash("We will mail you again. If the address is refused again, mail stops again.", "success")
    return redirect(url_for(".preferences"))


# One-click unsubscribe (RFC 8058): the link in a mail's List-Unsubscribe header. A mail client
# POSTs `List-Unsubscribe=One-Click` to it with no cookie and no token of ours: the signed link
# is the authority, and all it can do is stop a kind of mail. A person who opens the link in a
# browser gets a page with a button, so a link scanner that only GETs unsubscribes nobody.


def _unsubscribe_link_or_404(token: str):
    found = read_unsubscribe_token(token)
    if found is None:
        abort(404)
    return found


@bp.get("/mail/unsubscribe/<token>")
def unsubscribe(token: str):
    user, topic = _unsubscribe_link_or_404(token)
    return render_template("mail/unsubscribe.html", topic=topic, user=user, token=token)


# No rate limit: a mail provider posts every one-click unsubscribe of its users from a few of
# its own addresses, and a forged link is refused by its signature alone.
@bp.post("/mail/unsubscribe/<token>")
@csrf.exempt
def unsubscribe_now(token: str):
    user, topic = _unsubscribe_link_or_404(token)
    write(lambda: stop_mail(user, topic))
    if request.form.get("List-Unsubscribe") == "One-Click":
        return "", 204
    return render_template("mail/unsubscribed.html", topic=topic, user=user)
