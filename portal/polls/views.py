from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.accounts.permissions import Permission, can, offered, require
from portal.csrf import form_view
from portal.events.queries import in_zone
from portal.extensions import db
from portal.polls import bp
from portal.polls.forms import PollForm
from portal.polls.models import SUBJECT_KINDS, Poll
from portal.polls.queries import (
    ballot_of,
    may_see,
    post_for,
    recent_polls,
    results,
    results_shown,
    subject_link,
    voter_counts,
)
from portal.polls.services import cast_ballot, close_poll, start_poll, withdraw_ballot
from portal.writes import REFUSED, write


def _poll_or_404(poll_id: int) -> Poll:
    poll = db.get_or_404(Poll, poll_id)
    if not may_see(poll, current_user):
        abort(404)
    return poll


@bp.get("/polls")
def index():
    polls = recent_polls(current_user)
    return render_template(
        "polls/index.html",
        polls=polls,
        voters=voter_counts([poll.id for poll in polls]),
        may_start=can(current_user, Permission.RUN_POLLS),
    )


@bp.get("/polls/<int:poll_id>")
def poll(poll_id: int):
    return _render_poll(_poll_or_404(poll_id))


def _render_poll(found: Poll):
    ballot = ballot_of(current_user, found)
    shown = results_shown(found, current_user, ballot)
    return render_template(
        "polls/poll.html",
        poll=found,
        ballot=ballot,
        results=results(found) if shown else None,
        voters=voter_counts([found.id]).get(found.id, 0),
        subject=subject_link(found),
        may_vote=offered(Permission.VOTE) and not found.is_closed(),
        may_close=can(current_user, Permission.RUN_POLLS) and not found.is_closed(),
        in_zone=in_zone,
    )


def _choices() -> list[int]:
    """The ticked answers' ids; anything else sent is no answer of the poll."""
    return [int(v) for v in request.form.getlist("choice")[:20] if v.isdigit() and len(v) < 12]


def _act(poll_id: int, permission: Permission, action, done: str):
    """A button on a poll's page: checked, written, told, and back to the poll."""
    found = _poll_or_404(poll_id)
    require(permission)
    back = url_for(".poll", poll_id=found.id)
    write(lambda: action(current_user, found), back=back)
    flash(done, "success")
    return redirect(back)


@bp.post("/polls/<int:poll_id>/ballot")
@login_required
def vote(poll_id: int):
    return _act(
        poll_id,
        Permission.VOTE,
        lambda user, poll: cast_ballot(user, poll, _choices()),
        "Your vote is counted. You may change it until the poll closes.",
    )


@bp.post("/polls/<int:poll_id>/withdraw")
@login_required
def withdraw(poll_id: int):
    return _act(poll_id, Permission.VOTE, withdraw_ballot, "Your vote is withdrawn.")


@bp.post("/polls/<int:poll_id>/close")
@login_required
def close(poll_id: int):
    return _act(
        poll_id,
        Permission.RUN_POLLS,
        close_poll,
        "The poll is closed: everyone now sees the results.",
    )


def _subject_from_args() -> tuple[str, int] | None:
    """`?on=question:12`: the post the new poll goes under."""
    kind, _, subject_id = request.values.get("on", "")[:40].partition(":")
    if kind in SUBJECT_KINDS and subject_id.isdigit() and len(subject_id) < 12:
        return kind, int(subject_id)
    return None


@bp.route("/polls/new", methods=["GET", "POST"])
@login_required
@form_view
def new():
    require(Permission.RUN_POLLS)
    form = PollForm()
    subject = _subject_from_args()
    if form.validate_on_submit():
        started = write(
            lambda: start_poll(
                current_user,
                title=form.title.data,
                options=form.options.data.splitlines(),
                multiple=form.multiple.data,
                results_after=form.results_after.data,
                closes=form.closes.data,
                time_zone=form.time_zone.data,
                subject=subject,
            ),
            form=form,
        )
        if started is not REFUSED:
            flash("The poll is open.", "success")
            return redirect(url_for(".poll", poll_id=started.id))
    target = None
    if subject is not None:
        target = post_for(*subject, current_user)
        if target is None:
            abort(404)
    return render_template("polls/form.html", form=form, subject=subject, target=target)
