"""Where support and the idea board meet: a support question linked to the idea it asks for, or
turned into that idea. Staff and product do both; the asker follows the idea, so they hear when
its status changes. Each side's rules stay with it: support closes the question, ideas suggest
and follow."""

from sqlalchemy import delete

from portal.accounts.models import User
from portal.activity import record_event
from portal.extensions import db
from portal.ideas.links import idea_path
from portal.ideas.models import Idea, IdeaQuestion, IdeaStatus
from portal.ideas.services import follow, suggest_idea
from portal.inputs import typed_id
from portal.markdown import html_to_markdown
from portal.notifications.services import notify
from portal.support.models import Question
from portal.support.services import close_as_idea
from portal.writes import Refused


def find_idea(reference: str) -> Idea:
    """An idea from what staff typed: its number, `#12`, or a link to its page."""
    digits = reference.strip().rstrip("/").rsplit("/", 1)[-1].lstrip("#")
    idea_id = typed_id(digits)
    idea = db.session.get(Idea, idea_id) if idea_id is not None else None
    if idea is None:
        raise Refused("No idea has that number or link.", field="idea")
    return idea


def link_question(idea: Idea, question: Question, *, by: User) -> None:
    if question.is_deleted:
        raise Refused("This question is deleted.")
    if idea.status == IdeaStatus.MERGED:
        target = idea.merged_into
        raise Refused(
            f"That idea was merged into #{target.id} “{target.title}”; link that one instead.",
            field="idea",
        )
    exists = db.session.get(IdeaQuestion, (idea.id, question.id))
    if exists is not None:
        raise Refused("This question is already linked to that idea.", field="idea")
    db.session.add(IdeaQuestion(idea_id=idea.id, question_id=question.id, linked_by_id=by.id))
    if question.author_id is not None:
        follow(idea, db.session.get(User, question.author_id))
    record_event(
        "idea.question_linked",
        actor=by,
        subject=idea,
        product_area_id=idea.product_area_id,
        title=idea.title,
        question_id=question.id,
    )
    notify(
        [question.author_id],
        kind="idea.question_linked",
        title=f"Your question “{question.title}” is linked to the idea “{idea.title}”",
        url=idea_path(idea),
        actor=by,
        note="You now follow the idea, so you will hear when its status changes.",
        about=("idea", idea.id),
    )
    db.session.flush()


def unlink_question(idea: Idea, question: Question, *, by: User) -> None:
    removed = db.session.execute(
        delete(IdeaQuestion).where(
            IdeaQuestion.idea_id == idea.id,
            IdeaQuestion.question_id == question.id,
            IdeaQuestion.converted.is_(False),
        )
    ).rowcount
    if not removed:
        raise Refused("That question is not linked to this idea (or the idea was made from it).")
    record_event(
        "idea.question_unlinked",
        actor=by,
        subject=idea,
        product_area_id=idea.product_area_id,
        question_id=question.id,
    )


def turn_into_idea(question: Question, *, by: User) -> Idea:
    """Make an idea of a question that is really a request: the asker becomes its author and
    first voter, and the question is closed with a link to the idea."""
    if question.author_id is None:
        raise Refused("The asker’s account no longer exists, so no one could own the idea.")
    close_as_idea(question, by)
    asker = db.session.get(User, question.author_id)
    idea = suggest_idea(
        asker,
        title=question.title[:150],
        body=question.body or html_to_markdown(question.body_html),
        area=question.product_area,
        at=question.closed_at,
    )
    follow(idea, asker)
    db.session.add(
        IdeaQuestion(idea_id=idea.id, question_id=question.id, linked_by_id=by.id, converted=True)
    )
    record_event(
        "question.turned_into_idea",
        actor=by,
        subject=question,
        product_area_id=question.product_area_id,
        title=question.title,
        idea_id=idea.id,
    )
    notify(
        [question.author_id],
        kind="question.turned_into_idea",
        title=f"Your question “{question.title}” is now an idea others can vote for",
        url=idea_path(idea),
        actor=by,
        about=("idea", idea.id),
    )
    db.session.flush()
    return idea
