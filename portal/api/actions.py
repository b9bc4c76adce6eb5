"""The API's writes: the pages' forms check the body, the pages' services make the change,
and `require()` asks the same `can()` first. A post by a new member waits for review as it
would on the site (spam screening included); its answer says so in `review_state`."""

from flask import url_for
from marshmallow import Schema
from marshmallow import fields as f
from marshmallow.validate import OneOf

from portal.accounts.permissions import Forbidden, Permission, can, require
from portal.api import schemas
from portal.api.auth import caller
from portal.api.operations import filled, operation
from portal.api.views import idea_or_404
from portal.extensions import db
from portal.forms import select_choices
from portal.ideas.forms import BehalfForm, IdeaForm, StatusForm
from portal.ideas.queries import find_customer
from portal.ideas.services import change_status, set_vote, suggest_idea, vote_on_behalf
from portal.ideas.statuses import flat_choices
from portal.links.services import find_idea, link_question
from portal.moderation.screening import screen
from portal.support import services as support
from portal.support.forms import AnswerForm, CommentForm, QuestionForm
from portal.support.models import Answer
from portal.support.queries import get_answer_or_404, get_question_or_404
from portal.taxonomy.services import all_areas
from portal.writes import write

QUESTIONS, IDEAS = "Questions", "Ideas"


def _area_choices(*, optional: bool):
    return select_choices(
        ([("", "None")] if optional else []) + [(a.slug, a.name) for a in all_areas()]
    )


def _created(location: str):
    """For a 201: where the new thing lives in the API."""
    return {"Location": location}


# Questions and answers ------------------------------------------------------------------------


@operation(
    "/questions",
    "POST",
    summary="Ask a question",
    tag=QUESTIONS,
    scope="write",
    body=QuestionForm,
    response=schemas.Question,
    status=201,
)
def ask():
    """Asks as the token's owner, with the rules of the Ask page. `area` is a product area's
    slug; `tags` a text of up to five tags separated by commas or spaces."""
    user = caller()
    require(Permission.POST)
    form = filled(QuestionForm, area=_area_choices(optional=False))
    area = next(a for a in all_areas() if a.slug == form.area.data)
    question, _created_now = write(
        lambda: support.ask_question(
            user,
            title=form.title.data,
            body=form.body.data,
            area=area,
            tags=form.tag_names,
            screening=screen(user, f"{form.title.data}\n\n{form.body.data}"),
        )
    )
    question.comments, question.answers = [], []
    return question, _created(url_for("api.question", question_id=question.id))


@operation(
    "/questions/<int:question_id>/answers",
    "POST",
    summary="Answer a question",
    tag=QUESTIONS,
    scope="write",
    body=AnswerForm,
    response=schemas.Answer,
    status=201,
    errors=(404,),
)
def answer(question_id: int):
    """Answers as the token's owner. A closed question takes no answers (409)."""
    question = get_question_or_404(question_id)
    require(Permission.POST)
    form = filled(AnswerForm)
    user = caller()
    posted = write(
        lambda: support.post_answer(
            question, user, form.body.data, screening=screen(user, form.body.data)
        )
    )
    posted.comments = []
    return posted, _created(url_for("api.question", question_id=question.id))


@operation(
    "/answers/<int:answer_id>/accept",
    "POST",
    summary="Accept an answer",
    tag=QUESTIONS,
    scope="write",
    response=schemas.Answer,
    errors=(404, 403, 409),
    needs="The asker, or support staff on their behalf.",
)
def accept(answer_id: int):
    """Marks the answer as the one that solved the question (another accepted answer stops
    being so)."""
    found = get_answer_or_404(answer_id)
    _require_accept(found)
    write(lambda: support.accept_answer(found, caller()))
    found.comments = []
    return found


@operation(
    "/answers/<int:answer_id>/accept",
    "DELETE",
    summary="Withdraw an acceptance",
    tag=QUESTIONS,
    scope="write",
    response=schemas.Answer,
    errors=(404, 403, 409),
    needs="The asker, or support staff on their behalf.",
)
def unaccept(answer_id: int):
    """The answer is no longer the accepted one."""
    found = get_answer_or_404(answer_id)
    _require_accept(found)
    write(lambda: support.unaccept_answer(found, caller()))
    found.comments = []
    return found


def _require_accept(found: Answer) -> None:
    require(Permission.VOTE)
    if not can(caller(), Permission.ACCEPT_ANSWER, found.question):
        raise Forbidden("Only the person who asked the question, or support staff, may accept.")


def _comment_on(post):
    require(Permission.POST)
    form = filled(CommentForm)
    user = caller()
    return write(
        lambda: support.add_comment(
            user, post, form.body.data, screening=screen(user, form.body.data)
        )
    )


@operation(
    "/questions/<int:question_id>/comments",
    "POST",
    summary="Comment on a question",
    tag=QUESTIONS,
    scope="write",
    body=CommentForm,
    response=schemas.Comment,
    status=201,
    errors=(404,),
)
def comment_question(question_id: int):
    """Comments are plain text, 15 to 600 characters."""
    return _comment_on(get_question_or_404(question_id))


@operation(
    "/answers/<int:answer_id>/comments",
    "POST",
    summary="Comment on an answer",
    tag=QUESTIONS,
    scope="write",
    body=CommentForm,
    response=schemas.Comment,
    status=201,
    errors=(404,),
)
def comment_answer(answer_id: int):
    """Comments are plain text, 15 to 600 characters."""
    return _comment_on(get_answer_or_404(answer_id))


class PostVote(Schema):
    value = f.Str(required=True, validate=OneOf(["up", "down", "withdraw"]))


class VoteResult(Schema):
    score = f.Int()
    my_vote = f.Int(metadata={"description": "1, -1 or 0"})
    message = f.Str()


def _vote_on(post):
    require(Permission.VOTE)
    body = filled(PostVote)
    value = {"up": support.UP, "down": support.DOWN, "withdraw": support.WITHDRAW}[body["value"]]
    return write(lambda: support.cast_vote(caller(), post, value))


@operation(
    "/questions/<int:question_id>/vote",
    "POST",
    summary="Vote on a question",
    tag=QUESTIONS,
    scope="write",
    body=PostVote,
    response=VoteResult,
    errors=(404,),
)
def vote_question(question_id: int):
    """Up, down or withdraw; never on one's own question."""
    return _vote_on(get_question_or_404(question_id))


@operation(
    "/answers/<int:answer_id>/vote",
    "POST",
    summary="Vote on an answer",
    tag=QUESTIONS,
    scope="write",
    body=PostVote,
    response=VoteResult,
    errors=(404,),
)
def vote_answer(answer_id: int):
    """Up, down or withdraw; never on one's own answer."""
    return _vote_on(get_answer_or_404(answer_id))


# Ideas ----------------------------------------------------------------------------------------


@operation(
    "/ideas",
    "POST",
    summary="Suggest an idea",
    tag=IDEAS,
    scope="write",
    body=IdeaForm,
    response=schemas.Idea,
    status=201,
)
def suggest():
    """Suggests as the token's owner, who also votes for it and follows it."""
    require(Permission.POST)
    form = filled(IdeaForm, area=_area_choices(optional=True))
    area = next((a for a in all_areas() if a.slug == form.area.data), None)
    user = caller()
    idea = write(
        lambda: suggest_idea(
            user,
            title=form.title.data,
            body=form.description.data or "",
            area=area,
            screening=screen(user, f"{form.title.data}\n\n{form.description.data or ''}"),
        )
    )
    return idea, _created(url_for("api.idea", idea_id=idea.id))


class IdeaVoteResult(Schema):
    voted = f.Bool()
    votes = f.Int()


def _set_vote(idea_id: int, voting: bool):
    idea = idea_or_404(idea_id)
    require(Permission.VOTE, idea)
    voted = write(lambda: set_vote(idea, caller(), voting))
    db.session.refresh(idea)
    return {"voted": voted, "votes": idea.votes}


@operation(
    "/ideas/<int:idea_id>/vote",
    "PUT",
    summary="Vote for an idea",
    tag=IDEAS,
    scope="write",
    response=IdeaVoteResult,
    errors=(404, 409),
)
def vote_idea(idea_id: int):
    """Idempotent: voting again changes nothing. Closed ideas take no votes (409)."""
    return _set_vote(idea_id, True)


@operation(
    "/ideas/<int:idea_id>/vote",
    "DELETE",
    summary="Withdraw a vote",
    tag=IDEAS,
    scope="write",
    response=IdeaVoteResult,
    errors=(404, 409),
)
def unvote_idea(idea_id: int):
    """Idempotent: withdrawing a vote one does not have changes nothing."""
    return _set_vote(idea_id, False)


@operation(
    "/ideas/<int:idea_id>/status",
    "POST",
    summary="Change an idea's status",
    tag=IDEAS,
    scope="write",
    body=StatusForm,
    response=schemas.Idea,
    errors=(404, 403),
    needs="The product team, support staff and admins.",
)
def status(idea_id: int):
    """Moves the idea to a status with a public note; its voters and followers are told."""
    idea = idea_or_404(idea_id)
    require(Permission.MANAGE_IDEAS, idea)
    choices = select_choices(flat_choices())
    form = filled(StatusForm, status=choices)
    write(lambda: change_status(idea, form.status.data, note=form.note.data, by=caller()))
    return idea


@operation(
    "/ideas/<int:idea_id>/votes",
    "POST",
    summary="Vote on behalf of a customer",
    tag=IDEAS,
    scope="write",
    body=BehalfForm,
    response=IdeaVoteResult,
    status=201,
    errors=(404, 403, 409),
    needs="The product team, support staff and admins.",
)
def vote_behalf(idea_id: int):
    """Records a customer's vote heard elsewhere (a call, a ticket): `customer` is their
    email address or exact display name."""
    idea = idea_or_404(idea_id)
    require(Permission.MANAGE_IDEAS, idea)
    form = filled(BehalfForm)
    write(lambda: vote_on_behalf(idea, find_customer(form.customer.data), by=caller()))
    db.session.refresh(idea)
    return {"voted": True, "votes": idea.votes}


class LinkBody(Schema):
    idea = f.Str(required=True, metadata={"description": "The idea's id or its address"})


@operation(
    "/questions/<int:question_id>/ideas",
    "POST",
    summary="Link a question to an idea",
    tag=IDEAS,
    scope="write",
    body=LinkBody,
    response=schemas.IdeaSummary,
    status=201,
    errors=(404, 403, 409),
    needs="The product team, support staff and admins.",
)
def link(question_id: int):
    """The question asks for the idea: the asker follows the idea and hears of its progress."""
    question = get_question_or_404(question_id)
    require(Permission.MANAGE_IDEAS)
    body = filled(LinkBody)

    def linked():
        idea = find_idea(body["idea"][:300])
        link_question(idea, question, by=caller())
        return idea

    return write(linked)
