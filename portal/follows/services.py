"""Set a member's level for what they follow, and the selects notifications use: who watches
something, who muted it."""

from sqlalchemy import Select, and_, delete, false, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from portal.clock import utcnow
from portal.extensions import db
from portal.follows.models import MUTED, NORMAL, WATCHING, Follow
from portal.follows.targets import target_of
from portal.writes import Refused

LEVELS = (WATCHING, NORMAL, MUTED)


def set_level(user, kind: str, target_id: int, level: str) -> None:
    """Keep `user`'s level for the target (normal: no row). Repeated or concurrent, the last
    one wins and nothing is doubled."""
    offered = target_of(kind).levels
    if level not in offered:
        names = " or ".join(name for name in LEVELS if name in offered)
        raise Refused(f"Choose {names.replace(' or ', ', ', len(offered) - 2)}.", field="level")
    where = (Follow.user_id == user.id, Follow.target_kind == kind, Follow.target_id == target_id)
    if level == NORMAL:
        db.session.execute(delete(Follow).where(*where))
        return
    module = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    values = {
        "user_id": user.id,
        "target_kind": kind,
        "target_id": target_id,
        "level": level,
        "created_at": utcnow(),
    }
    db.session.execute(
        module.insert(Follow)
        .values(**values)
        .on_conflict_do_update(
            index_elements=["user_id", "target_kind", "target_id"], set_={"level": level}
        )
    )


def level_of(user, kind: str, target_id: int) -> str:
    if not getattr(user, "is_authenticated", False) or not user.follows_anything:
        return NORMAL
    found = db.session.scalar(
        select(Follow.level).where(
            Follow.user_id == user.id, Follow.target_kind == kind, Follow.target_id == target_id
        )
    )
    return found or NORMAL


def followers(level: str, *targets: tuple[str, int | None]) -> Select:
    """A select of the members at `level` for any of `targets` ((kind, id) pairs)."""
    follow = aliased(Follow)  # stands alone inside another select of follows
    pairs = [(kind, target_id) for kind, target_id in targets if target_id is not None]
    query = select(follow.user_id).where(follow.level == level)
    if not pairs:
        return query.where(false())
    return query.where(
        or_(*(and_(follow.target_kind == k, follow.target_id == i) for k, i in pairs))
    )


def watching(*targets: tuple[str, int | None]) -> Select:
    """Who watches any of `targets` and muted none of them."""
    chosen = followers(WATCHING, *targets)
    return chosen.where(chosen.selected_columns[0].not_in(followers(MUTED, *targets)))


def followed_by(user) -> list[Follow]:
    """What the member watches or muted, for their settings."""
    return list(
        db.session.scalars(
            select(Follow)
            .where(Follow.user_id == user.id)
            .order_by(Follow.target_kind, Follow.created_at)
        )
    )
