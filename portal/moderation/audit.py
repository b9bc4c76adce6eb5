"""The moderation log: who did what to which post or person, when and why."""

from portal.accounts.models import User
from portal.extensions import db
from portal.moderation.models import ModerationLogEntry


def log(
    action: str,
    *,
    actor: User | None,
    kind: str | None = None,
    post_id: int | None = None,
    target_user_id: int | None = None,
    reason: str | None = None,
    before: str | None = None,
    after: str | None = None,
) -> ModerationLogEntry:
    """One row of the moderation log, in the caller's transaction."""
    entry = ModerationLogEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        kind=kind,
        post_id=post_id,
        target_user_id=target_user_id,
        reason=reason,
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry
