"""The question page's panel of the ideas a question is tied to."""

from dataclasses import dataclass

from portal.extensions import db
from portal.ideas.models import Idea, IdeaQuestion
from portal.support.models import Question
from portal.support.panels import QuestionPanel, question_panel


@dataclass
class LinkedIdea:
    idea: Idea
    converted: bool


def ideas_for_question(question_id: int) -> list[LinkedIdea]:
    """The ideas a question is tied to, in one query (for the question page)."""
    rows = db.session.execute(
        db.select(Idea, IdeaQuestion.converted)
        .join(IdeaQuestion, IdeaQuestion.idea_id == Idea.id)
        .where(IdeaQuestion.question_id == question_id)
        .order_by(IdeaQuestion.converted.desc(), IdeaQuestion.created_at)
    ).all()
    return [LinkedIdea(idea, converted) for idea, converted in rows]


@question_panel
def linked_ideas_panel(question: Question) -> QuestionPanel:
    return QuestionPanel(
        template="links/_question_panel.html",
        items=ideas_for_question(question.id),
        closed_note="links/_closed_note.html",
    )
