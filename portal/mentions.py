"""@mentions: "@Casey_Fischer" in a post names the member whose display name is "Casey
Fischer" (spaces written as underscores, any case). A name that fits exactly one active member
becomes a link to their profile when the post is rendered, and they are notified when it goes
live; a name that fits nobody, a suspended member or several members stays plain text.

The editor's autocomplete (`/mentions?q=`, static/js/portal.js) offers the names to type.
"""

from sqlalchemy import func, or_, select

from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db
from portal.markdown import MENTION, mention_name, prose_text
from portal.public_url import site_path

MAX_MENTIONS = 20  # per post: more is a list, not a conversation
SUGGESTED = 8


def handle(display_name: str) -> str:
    """How a member's name is written in a mention: "Casey Fischer" -> "Casey_Fischer"."""
    return "_".join(display_name.split())


def _key(name: str) -> str:
    return name.casefold()


def _names_in(text: str) -> list[str]:
    """The names after an "@", once each."""
    found: dict[str, str] = {}
    for match in MENTION.finditer(text or ""):
        name = mention_name(match)
        if name:
            found.setdefault(_key(name), name)
    return list(found.values())[:MAX_MENTIONS]


def resolve(text: str) -> dict[str, User]:
    """The members `text` mentions, by the casefolded name written after "@": active members
    whose name fits them alone (one query, only when there is an "@")."""
    names = _names_in(text)
    if not names:
        return {}
    wanted = {_key(name) for name in names}
    written = func.replace(func.trim(User.display_name), " ", "_")
    candidates = db.session.scalars(
        select(User).where(
            or_(
                func.lower(written).in_([name.lower() for name in names]),
                written.in_(names),  # SQLite's lower() leaves letters past ASCII alone
            ),
            User.email.is_not(None),  # not a deleted or imported placeholder
        )
    ).all()
    by_name: dict[str, list[User]] = {}
    for user in candidates:
        by_name.setdefault(_key(handle(user.display_name)), []).append(user)
    now = utcnow()
    return {
        name: users[0]
        for name, users in by_name.items()
        if name in wanted and len(users) == 1 and not _suspended(users[0], now)
    }


def _suspended(user: User, now) -> bool:
    return user.suspended_at is not None and (
        user.suspended_until is None or user.suspended_until > now
    )


def links(people: dict[str, User]) -> dict[str, str]:
    """For render_markdown: each resolved name -> its member's profile path."""
    return {name: site_path("accounts.profile", user_id=user.id) for name, user in people.items()}


def suggestions(prefix: str) -> list[dict]:
    """Members whose name starts with `prefix` (as typed after "@"), for the autocomplete."""
    prefix = " ".join(prefix.replace("_", " ").split())[:60]
    if not prefix:
        return []
    escaped = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    now = utcnow()
    users = db.session.scalars(
        select(User)
        .where(
            func.lower(User.display_name).like(f"{escaped}%", escape="\\"),
            User.email.is_not(None),
        )
        .order_by(User.reputation.desc(), User.id)
        .limit(SUGGESTED * 2)
    ).all()
    counts: dict[str, int] = {}
    for user in users:
        counts[_key(handle(user.display_name))] = counts.get(_key(handle(user.display_name)), 0) + 1
    return [
        {"name": user.display_name, "handle": handle(user.display_name)}
        for user in users
        if not _suspended(user, now) and counts[_key(handle(user.display_name))] == 1
    ][:SUGGESTED]


def mention_links(text: str) -> dict[str, str]:
    """What render_markdown needs to link the mentions in `text`."""
    return links(resolve(text))


def mentioned_ids(
    text: str, *, but: set[int | None] = frozenset(), markdown: bool = True
) -> list[int]:
    """The members `text` mentions (in Markdown, outside code and links, where the rendering
    links them), but those told already in another way."""
    people = resolve(prose_text(text) if markdown else text)
    return sorted({user.id for user in people.values()} - set(but))


def added_mentions(before: str, after: str, *, but: set[int | None] = frozenset()) -> list[int]:
    """The members an edit mentions that the text before it did not: told once, when named."""
    return mentioned_ids(after, but=set(mentioned_ids(before)) | set(but))
