"""What other features show on a question page. A feature registers a loader here (links/
shows the ideas a question is tied to), so support imports none of them."""

from collections.abc import Callable
from dataclasses import dataclass, field

from portal.support.models import Question


@dataclass
class QuestionPanel:
    """A box in the question page's side column, rendered by `template` with `items`;
    `closed_note`, also a template, says on a closed question what became of it."""

    template: str
    items: list = field(default_factory=list)
    closed_note: str | None = None


PANEL_LOADERS: list[Callable[[Question], QuestionPanel]] = []


def question_panel(loader: Callable[[Question], QuestionPanel]) -> Callable:
    PANEL_LOADERS.append(loader)
    return loader


def question_panels(question: Question) -> list[QuestionPanel]:
    return [load(question) for load in PANEL_LOADERS]
