from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from portal.accounts.permissions import Permission, can, require
from portal.clock import utcnow
from portal.csrf import form_view
from portal.events import bp
from portal.events.calendar import calendar_of
from portal.events.forms import EventForm, EventQuestionForm, ResponseForm
from portal.events.models import AMA, RESPONSES, Event
from portal.events.queries import (
    asked_at,
    in_zone,
    past,
    questions_at,
    response_of,
    upcoming,
    upvoted_by,
    waitlist_position,
)
from portal.events.services import ask_at_event, respond, save_event
from portal.extensions import db, limiter
from portal.forms import honeypot_filled, select_choices
from portal.moderation.screening import WAITS, posting_limit, screen
from portal.support.queries import may_see
from portal.support.services import UP, WITHDRAW, cast_vote
from portal.taxonomy.services import all_areas
from portal.writes import REFUSED, write

POST_LIMIT = "20 per minute"
VOTE_LIMIT = "60 per minute"  # as on a question's own page


def _area_from_args():
    slug = request.args.get("area", "")[:80]
    return next((area for area in all_areas() if area.slug == slug), None) if slug else None


@bp.get("/events")
def index():
    area = _area_from_args()
    showing_past = request.args.get("show") == "past"
    area_id = area.id if area else None
    return render_template(
        "events/index.html",
        events=past(area_id) if showing_past else upcoming(area_id),
        showing_past=showing_past,
        area=area,
        areas=all_areas(),
        in_zone=in_zone,
        may_plan=can(current_user, Permission.MANAGE_EVENTS),
    )


@bp.get("/events/<int:event_id>")
def event(event_id: int):
    found = db.get_or_404(Event, event_id)
    return _render_event(found, ResponseForm(formdata=None))


def _render_event(found: Event, form: ResponseForm, question_form=None):
    mine = response_of(current_user, found)
    moderator = can(current_user, Permission.MODERATE)
    asked = questions_at(found, current_user, moderator=moderator) if found.kind == AMA else []
    if mine is not None and not form.response.data:
        form.response.data = mine.response
    return render_template(
        "events/event.html",
        event=found,
        form=form,
        mine=mine,
        position=waitlist_position(found, mine) if mine and mine.waitlisted else None,
        in_zone=in_zone,
        responses=RESPONSES,
        may_plan=can(current_user, Permission.MANAGE_EVENTS),
        questions=asked,
        upvoted=upvoted_by(current_user, asked),
        question_form=question_form or EventQuestionForm(formdata=None),
        open_for_questions=found.kind == AMA and found.ends_at > utcnow(),
    )


@bp.post("/events/<int:event_id>/questions")
@login_required
@limiter.limit(lambda: posting_limit(POST_LIMIT))
@form_view
def ask(event_id: int):
    """Ask at an Ask-Me-Anything session: the question joins the Q&A and the session's list."""
    found = db.get_or_404(Event, event_id)
    if found.kind != AMA:
        abort(404)  # only sessions have questions
    require(Permission.POST)
    if found.ends_at <= utcnow():
        flash("This session is over: ask in the Q&A instead.", "error")
        return redirect(url_for(".event", event_id=found.id))
    form = EventQuestionForm()
    if form.validate_on_submit():
        text = f"{form.title.data}\n\n{form.body.data}"
        asked = write(
            lambda: ask_at_event(
                current_user,
                found,
                title=form.title.data,
                body=form.body.data,
                screening=screen(current_user, text, honeypot=honeypot_filled()),
            ),
            form=form,
        )
        if asked is not REFUSED:
            if asked.is_pending:
                flash(WAITS.format(post="question"), "info")
            else:
                flash("Your question is in. Vote for the others you want answered.", "success")
            return redirect(url_for(".event", event_id=found.id, _anchor="questions"))
    return _render_event(found, ResponseForm(formdata=None), question_form=form)


@bp.post("/events/<int:event_id>/questions/<int:question_id>/vote")
@login_required
@limiter.limit(VOTE_LIMIT)
def vote(event_id: int, question_id: int):
    """Vote a session's question up (or take the vote back) from the session's page, which
    lists them most voted first: the vote is the question's own, as on its page."""
    found = db.get_or_404(Event, event_id)
    question = asked_at(found, question_id)
    if question is None or not may_see(question, current_user):
        abort(404)
    require(Permission.VOTE_ON_POST, question)
    back = url_for(".event", event_id=found.id, _anchor="questions")
    value = UP if request.form.get("value") == "up" else WITHDRAW
    write(lambda: cast_vote(current_user, question, value), back=back)
    flash("Vote counted." if value == UP else "Vote taken back.", "success")
    return redirect(back)


@bp.post("/events/<int:event_id>/response")
@login_required
@form_view
def answer(event_id: int):
    found = db.get_or_404(Event, event_id)
    require(Permission.POST)
    form = ResponseForm()
    if form.validate_on_submit():
        done = write(lambda: respond(current_user, found, form.response.data), form=form)
        if done is not REFUSED:
            if done.waitlisted:
                flash("The event is full: you are on the waitlist, and told if a place frees.")
            else:
                flash(f"Saved: {RESPONSES[done.response].lower()}.", "success")
            return redirect(url_for(".event", event_id=found.id))
    return _render_event(found, form)


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
@form_view
def new():
    require(Permission.MANAGE_EVENTS)
    return _edit(None)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
@form_view
def edit(event_id: int):
    found = db.get_or_404(Event, event_id)
    require(Permission.MANAGE_EVENTS)
    return _edit(found)


def _edit(found: Event | None):
    form = EventForm()
    form.area.choices = select_choices(
        [("", "No product area")] + [(str(a.id), a.name) for a in all_areas()]
    )
    if found is not None and not form.is_submitted():
        form.kind.data, form.title.data, form.body.data = found.kind, found.title, found.body
        form.starts.data = in_zone(found.starts_at, found.time_zone).replace(tzinfo=None)
        form.ends.data = in_zone(found.ends_at, found.time_zone).replace(tzinfo=None)
        form.time_zone.data, form.location.data = found.time_zone, found.location
        form.online_url.data, form.capacity.data = found.online_url, found.capacity
        form.area.data = str(found.product_area_id or "")
    if form.validate_on_submit():
        areas = {str(a.id): a.id for a in all_areas()}
        saved = write(
            lambda: save_event(
                current_user,
                found,
                kind=form.kind.data,
                title=form.title.data,
                body=form.body.data,
                starts=form.starts.data,
                ends=form.ends.data,
                time_zone=form.time_zone.data,
                location=(form.location.data or "").strip() or None,
                online_url=(form.online_url.data or "").strip() or None,
                area_id=areas.get(form.area.data or ""),
                capacity=form.capacity.data,
            ),
            form=form,
        )
        if saved is not REFUSED:
            flash("The event is saved." if found else "The event is published.", "success")
            return redirect(url_for(".event", event_id=saved.id))
    return render_template("events/form.html", form=form, event=found)


@bp.get("/events/<int:event_id>.ics")
def event_calendar(event_id: int):
    found = db.get_or_404(Event, event_id)
    return _ics(calendar_of([found], found.title), f"event-{found.id}.ics")


@bp.get("/events.ics")
def feed():
    """Every upcoming event, for a calendar to subscribe to."""
    return _ics(calendar_of(upcoming(limit=500), "Community events"), "events.ics")


def _ics(body: bytes, filename: str) -> Response:
    if not body:
        abort(404)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
