"""Trust levels, after Discourse's: new, basic, member, regular, leader.

A member's level is earned from what they have done (days since their address was confirmed,
days visited, posts everyone sees, accepted answers, posts hidden or deleted after flags in the
last 100 days) against thresholds an admin sets (PORTAL_TRUST_BASIC, _MEMBER and _REGULAR). It
is kept on the user and recomputed by `refresh` when a day's visit is recorded or a moderator
decides on one of their posts, so a page or a write reads one column. Levels rise on their own
and do not fall, except regular, which lapses to member when its requirements do (as in
Discourse). Leader is granted by a community manager, who may also set and lock any level.

What a level changes: a new member's first posts wait for a moderator, posts from below member
are scored for spam (portal/moderation/screening.py), and flags weigh by their flagger's level.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func

from portal.accounts.models import User, VisitDay
from portal.accounts.sessions import visit_listeners
from portal.clock import utcnow
from portal.database import lock_for_write
from portal.extensions import db
from portal.moderation.audit import log
from portal.moderation.kinds import KINDS
from portal.moderation.models import ReviewItem
from portal.notifications.services import notify
from portal.public_url import site_path
from portal.writes import Refused

LEVELS = ("new", "basic", "member", "regular", "leader")
NEW, BASIC, MEMBER, REGULAR, LEADER = range(len(LEVELS))
EARNED = {BASIC: "TRUST_BASIC", MEMBER: "TRUST_MEMBER", REGULAR: "TRUST_REGULAR"}
UPHELD_WINDOW = timedelta(days=100)
UPHELD_OUTCOMES = ("hidden", "deleted", "spam")

# What each requirement counts, as a member reads it on their profile.
LABELS = {
    "account_days": "days since the email address was confirmed",
    "days_visited": "days visited",
    "posts": "posts everyone sees (questions, answers, comments, ideas)",
    "accepted_answers": "accepted answers",
    "upheld_flags": "posts hidden or deleted after flags in the last 100 days",
}
# What a level lets its members do, for the promotion notice and the profile.
ALLOWS = {
    NEW: "Your first posts wait for a moderator before everyone sees them.",
    BASIC: "Your posts appear at once.",
    MEMBER: "Your posts appear at once and skip the spam filter.",
    REGULAR: "Your flags weigh more: a few of them hide a post until a moderator looks.",
    LEADER: "Your flags weigh the most; you help lead the community.",
}

# Counts only a feature can make (support: accepted answers), registered by the feature.
COUNTERS: dict[str, Callable[[int], int]] = {}


def register_counter(name: str, count: Callable[[int], int]) -> None:
    COUNTERS[name] = count


@dataclass(frozen=True)
class Stats:
    confirmed: bool
    account_days: int
    days_visited: int
    posts: int
    accepted_answers: int
    upheld_flags: int


@dataclass(frozen=True)
class Requirement:
    name: str
    label: str
    have: int
    need: int
    at_most: bool  # "max_" settings: have must not exceed need

    @property
    def met(self) -> bool:
        return self.have <= self.need if self.at_most else self.have >= self.need


@dataclass(frozen=True)
class Progress:
    level: int
    locked: bool
    next_level: int | None  # None: leader, or regular (leader is granted, not earned)
    requirements: list[Requirement]

    @property
    def name(self) -> str:
        return LEVELS[self.level]


def _live(model):
    live = model.review_state.is_(None)
    if hasattr(model, "deleted_at"):
        live = live & model.deleted_at.is_(None)
    return live


def live_posts(user_id: int) -> int:
    """Posts of every registered kind by this member that everyone sees."""
    return sum(
        db.session.scalar(
            db.select(func.count())
            .select_from(kind.model)
            .where(kind.model.author_id == user_id, _live(kind.model))
        )
        for kind in KINDS.values()
    )


def _counted(name: str, user_id: int) -> int:
    """A feature's count (0 while no feature registered one: moderation runs without them)."""
    count = COUNTERS.get(name)
    return count(user_id) if count is not None else 0


def stats(user: User) -> Stats:
    now = utcnow()
    confirmed = user.email_confirmed_at
    return Stats(
        confirmed=confirmed is not None,
        account_days=(now - confirmed).days if confirmed else 0,
        days_visited=db.session.scalar(
            db.select(func.count()).select_from(VisitDay).where(VisitDay.user_id == user.id)
        ),
        posts=live_posts(user.id),
        accepted_answers=_counted("accepted_answers", user.id),
        upheld_flags=db.session.scalar(
            db.select(func.count())
            .select_from(ReviewItem)
            .where(
                ReviewItem.author_id == user.id,
                ReviewItem.outcome.in_(UPHELD_OUTCOMES),
                ReviewItem.closed_at >= now - UPHELD_WINDOW,
            )
        ),
    )


def requirements(level: int, have: Stats) -> list[Requirement]:
    found = []
    for setting, need in current_app.config[EARNED[level]].items():
        name = setting.removeprefix("max_")
        if name not in LABELS:
            raise ValueError(f"PORTAL_{EARNED[level]}: unknown requirement {setting!r}")
        found.append(
            Requirement(name, LABELS[name], getattr(have, name), need, setting.startswith("max_"))
        )
    return found


def earned(have: Stats) -> int:
    """The highest level whose requirements, and those of every level below, are met."""
    level = NEW
    if not have.confirmed:
        return level
    for candidate in EARNED:
        if not all(r.met for r in requirements(candidate, have)):
            break
        level = candidate
    return level


def progress(user: User) -> Progress:
    """The member's level and what the next one needs, for their profile."""
    have = stats(user)
    following = user.trust_level + 1
    if user.trust_level_locked or following not in EARNED:
        return Progress(user.trust_level, user.trust_level_locked, None, [])
    return Progress(user.trust_level, False, following, requirements(following, have))


def refresh(user: User) -> int:
    """Recompute a member's level (unless a community manager locked it); returns it. A change
    is logged and a promotion told to the member."""
    # Locked and read afresh: two writers refreshing one member at once change it once.
    lock_for_write(User, user.id)
    db.session.refresh(user)
    if user.trust_level_locked:
        return user.trust_level
    old, now_earned = user.trust_level, earned(stats(user))
    new = max(old, now_earned)
    if old == REGULAR and now_earned < REGULAR:
        new = max(now_earned, MEMBER)
    if new != old:
        _change(user, old, new, actor=None, reason="requirements met" if new > old else None)
    return new


def set_level(user: User, level: int | None, *, by: User, reason: str = "") -> None:
    """A community manager sets and locks a member's level, or (None) lets it be earned again."""
    if level is not None and level not in range(len(LEVELS)):
        raise Refused("Choose a trust level.", field="level")
    if len(reason) > 1000:
        raise Refused("Keep the reason under 1000 characters.", field="reason")
    old = user.trust_level
    if level is None:
        user.trust_level_locked = False
        new = earned(stats(user))
    else:
        user.trust_level_locked = True
        new = level
    _change(user, old, new, actor=by, reason=reason.strip() or None)


def _change(user: User, old: int, new: int, *, actor: User | None, reason: str | None) -> None:
    user.trust_level = new
    log(
        "trust_level",
        actor=actor,
        target_user_id=user.id,
        reason=reason if actor else (reason or "requirements lapsed"),
        before=LEVELS[old],
        after=LEVELS[new] + (" (locked)" if user.trust_level_locked else ""),
    )
    if new > old:
        notify(
            [user.id],
            kind="trust.promoted",
            title=f"You are now a {LEVELS[new]} of the community",
            url=site_path("accounts.profile", user_id=user.id),
            note=ALLOWS[new],
        )
    db.session.flush()


def flag_weight(user: User) -> int:
    return current_app.config["MODERATION_FLAG_WEIGHTS"][user.trust_level]


def refresh_visitors(user_ids: list[int]) -> None:
    """A new day visited may earn a level (accounts/sessions.py tells us)."""
    for user in db.session.scalars(db.select(User).where(User.id.in_(user_ids))):
        refresh(user)


visit_listeners.append(refresh_visitors)
