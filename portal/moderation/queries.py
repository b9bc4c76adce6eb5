"""Moderation's reading: the queue, its count, a post's flags and the log."""

from dataclasses import dataclass

from sqlalchemy import Select, func, tuple_

from portal.accounts.models import User
from portal.extensions import db
from portal.moderation.kinds import KINDS, FlaggableKind
from portal.moderation.models import Flag, ModerationLogEntry, ReviewItem


def open_count() -> int:
    """The number on the moderators' header badge."""
    return db.session.scalar(
        db.select(func.count()).select_from(ReviewItem).where(ReviewItem.closed_at.is_(None))
    )


def open_items() -> Select:
    """The queue: open items, oldest first."""
    return (
        db.select(ReviewItem)
        .where(ReviewItem.closed_at.is_(None))
        .order_by(ReviewItem.opened_at, ReviewItem.id)
    )


@dataclass
class AuthorHistory:
    reputation: int
    joined: object
    flags_upheld: int  # flags moderators upheld against their posts
    suspended: bool


@dataclass
class QueueEntry:
    item: ReviewItem
    kind: FlaggableKind
    post: object | None  # None: deleted meanwhile
    flags: list[Flag]
    author: User | None
    history: AuthorHistory | None


def queue_entries(items: list[ReviewItem]) -> list[QueueEntry]:
    """Each item with its post, flags and the author's history (a few statements per page)."""
    entries = []
    keys = [(item.kind, item.post_id) for item in items]
    flags: dict = {}
    if keys:
        rows = db.session.scalars(
            db.select(Flag)
            .where(tuple_(Flag.kind, Flag.post_id).in_(keys), Flag.status == "open")
            .order_by(Flag.created_at)
        )
        for flag in rows:
            flags.setdefault((flag.kind, flag.post_id), []).append(flag)
    upheld = _upheld_against({item.author_id for item in items if item.author_id})
    posts = {}
    for name in {item.kind for item in items if item.kind in KINDS}:
        ids = [item.post_id for item in items if item.kind == name]
        posts.update({(name, post_id): post for post_id, post in KINDS[name].posts(ids).items()})
    for item in items:
        kind = KINDS.get(item.kind)
        post = posts.get((item.kind, item.post_id))
        author = item.author
        history = None
        if author is not None:
            history = AuthorHistory(
                author.reputation,
                author.created_at,
                upheld.get(author.id, 0),
                author.is_suspended,
            )
        entries.append(
            QueueEntry(item, kind, post, flags.get((item.kind, item.post_id), []), author, history)
        )
    return entries


def _upheld_against(author_ids: set[int]) -> dict[int, int]:
    if not author_ids:
        return {}
    rows = db.session.execute(
        db.select(ReviewItem.author_id, func.count())
        .where(
            ReviewItem.author_id.in_(author_ids),
            ReviewItem.outcome.in_(["hidden", "deleted"]),
        )
        .group_by(ReviewItem.author_id)
    )
    return dict(rows.all())


def my_flag(user, kind: str, post_id: int) -> Flag | None:
    return db.session.scalar(
        db.select(Flag).where(Flag.kind == kind, Flag.post_id == post_id, Flag.user_id == user.id)
    )


LOG_ACTIONS = (
    "approve",
    "hide",
    "delete",
    "spam",
    "auto_hide",
    "warn",
    "suspend",
    "appeal",
    "lift_suspension",
    "keep_suspension",
    "edit",
    "trust_level",
)


def log_entries(*, action: str | None = None, actor_id: int | None = None) -> Select:
    query = db.select(ModerationLogEntry).order_by(
        ModerationLogEntry.created_at.desc(), ModerationLogEntry.id.desc()
    )
    if action:
        query = query.where(ModerationLogEntry.action == action)
    if actor_id:
        query = query.where(ModerationLogEntry.actor_id == actor_id)
    return query
