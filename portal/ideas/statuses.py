"""The statuses an idea can have as people see them: names, colours and their order within the
fixed kinds (`IdeaStatus`, which decide what a status does). A handful of rows, read once per
process until the community changes; the admins' changes record an event (services), so every
page, the roadmap included, follows at once."""

from dataclasses import dataclass

from sqlalchemy import select

from portal.caching import cached
from portal.extensions import db
from portal.ideas.models import DEFAULT_COLOURS, IdeaStatus, IdeaStatusOption

KIND_ORDER = {kind: rank for rank, kind in enumerate(IdeaStatus)}
# What each kind does, for the admins who add statuses and the team who choose one.
KIND_NAMES = {
    IdeaStatus.NEW: "Open: new",
    IdeaStatus.UNDER_REVIEW: "Open: under review",
    IdeaStatus.PLANNED: "Planned",
    IdeaStatus.IN_PROGRESS: "In progress",
    IdeaStatus.SHIPPED: "Done",
    IdeaStatus.DECLINED: "Declined",
}
KIND_HINTS = {
    IdeaStatus.NEW: "takes votes; where new ideas start",
    IdeaStatus.UNDER_REVIEW: "takes votes",
    IdeaStatus.PLANNED: "takes votes; a roadmap column",
    IdeaStatus.IN_PROGRESS: "takes votes; a roadmap column",
    IdeaStatus.SHIPPED: "voting closed; a roadmap column for 90 days; the changelog ships here",
    IdeaStatus.DECLINED: "voting closed; needs a public reason",
}
ROADMAP_KINDS = (IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS, IdeaStatus.SHIPPED)


@dataclass(frozen=True)
class StatusLook:
    """One status as shown: its name and colour, and the kind that decides what it does."""

    id: int
    value: str
    kind: IdeaStatus
    name: str
    colour: str
    position: int = 0
    is_default: bool = True

    @property
    def pill_class(self) -> str:
        """Its kind's class (a hook for styles and tests) and its colour's, which wins."""
        return f"pill--{self.kind.value} pill--c-{self.colour}"

    @property
    def takes_votes(self) -> bool:
        return self.kind.takes_votes

    @property
    def option_id(self) -> int | None:
        """What an idea of this status stores: NULL for its kind's default."""
        return None if self.is_default else self.id


MERGED = StatusLook(0, IdeaStatus.MERGED.value, IdeaStatus.MERGED, "Merged", "merged")


@dataclass(frozen=True)
class StatusTable:
    ordered: tuple[StatusLook, ...]  # kind by kind, each kind's in the admins' order
    by_id: dict[int, StatusLook]
    by_value: dict[str, StatusLook]
    defaults: dict[IdeaStatus, StatusLook]


def status_table() -> StatusTable:
    return cached("idea_status_options", compute=_read_table)


def _read_table() -> StatusTable:
    rows = db.session.execute(select(IdeaStatusOption.__table__)).mappings()
    looks = [
        StatusLook(
            id=row["id"],
            value=row["value"],
            kind=IdeaStatus(row["kind"]),
            name=row["name"],
            colour=row["colour"],
            position=row["position"],
            is_default=row["is_default"],
        )
        for row in rows
    ]
    looks.sort(key=lambda look: (KIND_ORDER[look.kind], look.position, look.id))
    defaults = {look.kind: look for look in looks if look.is_default}
    for kind in IdeaStatus.settable():  # rows removed by hand: the built-in names
        built_in = StatusLook(0, kind.value, kind, kind.label, DEFAULT_COLOURS[kind])
        defaults.setdefault(kind, built_in)
    defaults[IdeaStatus.MERGED] = MERGED
    return StatusTable(
        ordered=tuple(looks),
        by_id={look.id: look for look in looks},
        by_value={look.value: look for look in looks},
        defaults=defaults,
    )


def status_options() -> tuple[StatusLook, ...]:
    """Every status the team can choose, in order."""
    return status_table().ordered


def look(kind: str, option_id: int | None = None) -> StatusLook:
    """How an idea of this kind and status option is shown."""
    table = status_table()
    kind = IdeaStatus(kind)
    chosen = table.by_id.get(option_id) if option_id is not None else None
    return chosen if chosen is not None and chosen.kind is kind else table.defaults[kind]


def idea_look(idea) -> StatusLook:
    return look(idea.status, idea.status_option_id)


def status_by_value(value: str) -> StatusLook | None:
    return status_table().by_value.get(value)


def grouped_choices() -> dict[str, list[tuple[str, str]]]:
    """The statuses the team chooses from, under their kinds (a select's option groups)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for option in status_options():
        groups.setdefault(KIND_NAMES[option.kind], []).append((option.value, option.name))
    return groups


def flat_choices() -> list[tuple[str, str]]:
    return [(option.value, option.name) for option in status_options()]
