"""What the home page lists. Features register a loader here; each returns a HomeSection."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class HomeSection:
    """A titled list on the home page, rendered by `template` with `items`."""

    key: str
    title: str
    template: str
    items: list = field(default_factory=list)
    more_url: str | None = None


SECTION_LOADERS: list[Callable[[], HomeSection]] = []


def home_section(loader: Callable[[], HomeSection]) -> Callable[[], HomeSection]:
    SECTION_LOADERS.append(loader)
    return loader


def home_sections() -> list[HomeSection]:
    return [load() for load in SECTION_LOADERS]
