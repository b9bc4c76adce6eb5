from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.accounts.models import User
from portal.accounts.permissions import Permission, can, require
from portal.csv_export import csv_text
from portal.extensions import db
from portal.forms import select_choices
from portal.inputs import typed_id
from portal.moderation import bp
from portal.moderation.forms import (
    AppealForm,
    DecisionForm,
    FlagForm,
    LogFilterForm,
    RetractForm,
    SuspendForm,
    TrustLevelForm,
    WarnForm,
)
from portal.moderation.kinds import KINDS
from portal.moderation.queries import log_entries, open_items, queue_entries
from portal.moderation.services import (
    PERIODS,
    SUSPENSION,
    appeal,
    decide,
    flag_post,
    guidelines,
    retract_flag,
    suspend,
    warn,
)
from portal.moderation.trust import LEVELS, set_level
from portal.pagination import paginate
from portal.redirects import safe_url
from portal.search.embedding import availability
from portal.search.queries import DUPLICATE_FLOOR, possible_duplicates
from portal.writes import write

DONE = {
    "approve": "Approved: everyone sees it.",
    "hide": "Hidden.",
    "delete": "Deleted.",
    "spam": "Removed as spam; the filter learns from it and the author is suspended.",
}


def _first_error(form) -> str:
    return next(iter(e for errors in form.errors.values() for e in errors))


def _back_to_post(form) -> str:
    """Where the member flagged from: the post's page (read before the form is validated)."""
    kind = KINDS.get(form.kind.data or "")
    post_id = typed_id(request.form.get("post_id", ""))
    post = db.session.get(kind.model, post_id) if kind and post_id else None
    fallback = kind.url(post) if post is not None else url_for("main.home")
    return safe_url(request.form.get("next"), fallback=fallback)


@bp.post("/flags")
@login_required
def flag():
    form = FlagForm()
    back = _back_to_post(form)
    if not form.validate():
        flash(f"Not flagged: {_first_error(form)}", "error")
        return redirect(back)
    kind = KINDS.get(form.kind.data)
    post = db.session.get(kind.model, form.post_id.data) if kind else None
    require(Permission.FLAG, post)
    result = write(
        lambda: flag_post(
            current_user,
            form.kind.data,
            form.post_id.data,
            reason=form.reason.data,
            note=form.note.data or "",
        ),
        back=back,
    )
    if result.hidden:
        flash(
            "Thanks: enough members flagged it, so it is hidden until a moderator looks.", "success"
        )
    else:
        flash(
            "Thanks for flagging: a moderator will look at it. Only they can see your flag.",
            "success",
        )
    return redirect(back)


@bp.post("/flags/retract")
@login_required
def retract():
    form = RetractForm()
    back = _back_to_post(form)
    if not form.validate():
        flash("Choose a flag to retract.", "error")
        return redirect(back)
    require(Permission.POST)
    write(lambda: retract_flag(current_user, form.kind.data, form.post_id.data), back=back)
    flash("Your flag is retracted.", "success")
    return redirect(back)


@bp.post("/appeals")
@login_required
def appeal_decision():
    """A member appeals a hidden post of theirs or their suspension (suspended members too)."""
    form = AppealForm()
    back = safe_url(request.form.get("next"), fallback=url_for("main.home"))
    if not form.validate():
        flash(f"Not sent: {_first_error(form)}", "error")
        return redirect(back)
    write(
        lambda: appeal(current_user, form.kind.data, form.post_id.data, form.appeal.data or ""),
        back=back,
    )
    what = "suspension" if form.kind.data == SUSPENSION else "post"
    flash(f"Your appeal is sent: a moderator will look at your {what} again.", "success")
    return redirect(back)


@bp.get("/moderation")
@login_required
def queue():
    require(Permission.MODERATE)
    page = paginate(open_items(), per_page=20)
    return render_template(
        "moderation/queue.html",
        page=page,
        entries=queue_entries(list(page.items)),
        form=DecisionForm(formdata=None),
        trust_levels=LEVELS,
        warn_form=_warn_form(formdata=None),
        suspend_form=SuspendForm(formdata=None),
    )


@bp.get("/moderation/duplicates")
@login_required
def duplicates():
    """New questions (for moderators) and ideas (for those who merge them) that look like an
    older one: similar items' semantic score over the newest posts."""
    questions = can(current_user, Permission.MODERATE)
    ideas = can(current_user, Permission.MANAGE_IDEAS)
    if not (questions or ideas):
        require(Permission.MODERATE)  # refused, as every other way in is
    return render_template(
        "moderation/duplicates.html",
        questions=possible_duplicates("question") if questions else None,
        ideas=possible_duplicates("idea") if ideas else None,
        semantic=availability(),
        floor=DUPLICATE_FLOOR,
    )


@bp.post("/moderation/items/<int:item_id>/<action>")
@login_required
def decide_item(item_id: int, action: str):
    require(Permission.MODERATE)
    form = DecisionForm()
    if not form.validate():
        flash(_first_error(form), "error")
        return redirect(url_for(".queue"))
    write(
        lambda: decide(item_id, action, current_user, reason=form.reason.data or ""),
        back=url_for(".queue"),
    )
    flash(DONE[action], "success")
    return redirect(safe_url(request.form.get("next"), fallback=url_for(".queue")))


@bp.post("/moderation/members/<int:user_id>/trust")
@login_required
def trust_level(user_id: int):
    require(Permission.MANAGE_COMMUNITY)
    member = db.get_or_404(User, user_id)
    back = url_for("accounts.profile", user_id=member.id)
    form = TrustLevelForm()
    if not form.validate():
        flash(_first_error(form), "error")
        return redirect(back)
    level = None if form.level.data == "earned" else int(form.level.data)
    write(
        lambda: set_level(member, level, by=current_user, reason=form.reason.data or ""), back=back
    )
    flash(f"{member.display_name} is now {LEVELS[member.trust_level]}.", "success")
    return redirect(back)


def _warn_form(**kwargs) -> WarnForm:
    form = WarnForm(**kwargs)
    form.guideline.choices = select_choices((g, g) for g in guidelines())
    return form


def _act_on_member(form, act, *, refused: str, done) -> Response:
    """A moderator's form about a member, from the queue: validated, written, said, and back."""
    require(Permission.MODERATE)
    back = safe_url(request.form.get("next"), fallback=url_for(".queue"))
    if not form.validate():
        flash(f"{refused}: {_first_error(form)}", "error")
        return redirect(back)
    member = write(act, back=back)
    flash(done(member), "success")
    return redirect(back)


@bp.post("/moderation/members/<int:user_id>/warn")
@login_required
def warn_member(user_id: int):
    form = _warn_form()
    return _act_on_member(
        form,
        lambda: warn(
            user_id, guideline=form.guideline.data, message=form.message.data or "", by=current_user
        ),
        refused="No warning sent",
        done=lambda member: f"{member.display_name} is warned, privately.",
    )


@bp.post("/moderation/members/<int:user_id>/suspend")
@login_required
def suspend_member(user_id: int):
    form = SuspendForm()
    return _act_on_member(
        form,
        lambda: suspend(
            user_id, period=form.period.data, reason=form.reason.data or "", by=current_user
        ),
        refused="Not suspended",
        done=lambda member: f"{member.display_name} is suspended {PERIODS[form.period.data][1]}.",
    )


def _log_query():
    form = LogFilterForm(request.args, meta={"csrf": False})
    action = form.action.data if form.validate() else None
    return form, log_entries(action=action or None)


@bp.get("/moderation/log")
@login_required
def moderation_log():
    require(Permission.MANAGE_COMMUNITY)
    form, query = _log_query()
    return render_template("moderation/log.html", page=paginate(query, per_page=50), form=form)


@bp.get("/moderation/log.csv")
@login_required
def moderation_log_csv():
    require(Permission.MANAGE_COMMUNITY)
    _form, query = _log_query()
    header = [
        "time (UTC)",
        "moderator",
        "action",
        "kind",
        "post",
        "member",
        "reason",
        "before",
        "after",
    ]
    rows = [
        [
            entry.created_at.isoformat(timespec="seconds"),
            entry.actor.display_name if entry.actor else "(the community: flags)",
            entry.action,
            entry.kind or "",
            entry.post_id or "",
            entry.target_user.display_name if entry.target_user else "",
            entry.reason or "",
            entry.before or "",
            entry.after or "",
        ]
        for entry in db.session.scalars(query.limit(100_000))
    ]
    return Response(
        csv_text([header, *rows]),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=moderation-log.csv"},
    )
