"""What one feature shows under another's post: polls under a question, an idea, an
announcement or an event. A page asks for what is attached to its post (`attached_to`, a
template global); the features that attach register a loader, so no page imports them.

What a loader returns may be kept with the page for every viewer of its class: it must not
depend on who is looking (the poll's own page says whether one voted)."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Attachment:
    template: str  # rendered with `part` (this) in its context
    items: list = field(default_factory=list)


LOADERS: list[Callable[[str, int], Attachment | None]] = []


def attachment_loader(loader: Callable[[str, int], Attachment | None]) -> Callable:
    LOADERS.append(loader)
    return loader


def attached_to(kind: str, post_id: int) -> list[Attachment]:
    found = (load(kind, post_id) for load in LOADERS)
    return [part for part in found if part is not None]
