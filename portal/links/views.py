"""The team's tools on a question page: link it to an idea, unlink it, or turn it into one."""

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from portal.accounts.permissions import Permission, require
from portal.extensions import db, limiter
from portal.ideas.models import Idea
from portal.links import bp
from portal.links.services import find_idea, link_question, turn_into_idea, unlink_question
from portal.support.links import question_url
from portal.support.queries import get_question_or_404
from portal.writes import write

POST_LIMIT = "20 per minute"


@bp.post("/questions/<int:question_id>/ideas")
@login_required
@limiter.limit(POST_LIMIT)
def link_question_to_idea(question_id: int):
    question = get_question_or_404(question_id)
    require(Permission.MANAGE_IDEAS)
    back = question_url(question, _anchor="linked-ideas")

    def link():
        idea = find_idea(request.form.get("idea", "")[:300])
        link_question(idea, question, by=current_user)
        return idea

    idea = write(link, back=back)
    flash(f"Linked to the idea “{idea.title}”; the asker now follows it.", "success")
    return redirect(back)


@bp.post("/questions/<int:question_id>/ideas/<int:idea_id>/unlink")
@login_required
def unlink_question_from_idea(question_id: int, idea_id: int):
    question = get_question_or_404(question_id)
    idea = db.get_or_404(Idea, idea_id)
    require(Permission.MANAGE_IDEAS)
    back = question_url(question, _anchor="linked-ideas")
    write(lambda: unlink_question(idea, question, by=current_user), back=back)
    flash("The question is no longer linked to that idea.", "info")
    return redirect(back)


@bp.post("/questions/<int:question_id>/to-idea")
@login_required
@limiter.limit(POST_LIMIT)
def question_to_idea(question_id: int):
    question = get_question_or_404(question_id)
    require(Permission.MANAGE_IDEAS)
    idea = write(lambda: turn_into_idea(question, by=current_user), back=question_url(question))
    flash("The question is now an idea; the asker is its author and first voter.", "success")
    return redirect(url_for("ideas.idea", idea_id=idea.id))
