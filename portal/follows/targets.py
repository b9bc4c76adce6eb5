"""What may be followed: each feature registers its kinds, so following never imports one."""

from collections.abc import Callable
from dataclasses import dataclass

from portal.writes import Refused


@dataclass(frozen=True)
class Target:
    label: str  # "product area": what people read
    # (id, viewer) -> (its name, its URL) when it exists and the viewer may see it, else None
    find: Callable[[int, object], tuple[str, str] | None]
    # What each level brings, for the control that sets it: {level: explanation}
    levels: dict[str, str]


TARGETS: dict[str, Target] = {}


def register_target(kind: str, target: Target) -> None:
    TARGETS[kind] = target


def target_of(kind: str) -> Target:
    try:
        return TARGETS[kind]
    except KeyError:
        raise Refused("You can follow a product area, a tag or a question.") from None
