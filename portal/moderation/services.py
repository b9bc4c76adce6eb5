"""Moderation's writes: flagging, and moderators' decisions on the review queue.

Services flush and never commit (the caller's `write()` does). A decision closes its review
item with one conditional UPDATE: of two moderators acting on one item at once, the first
decides and logs, the second is told who did, and nothing else changes.
"""

import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, update

from portal.accounts.models import User
from portal.accounts.permissions import Permission, can
from portal.accounts.services import suspend_user, unsuspend_user
from portal.activity import record_event
from portal.clock import utcnow
from portal.database import insert_or_ignore, lock_for_write
from portal.extensions import db
from portal.moderation import spam
from portal.moderation.audit import log
from portal.moderation.kinds import FlaggableKind, kind_of, load_post
from portal.moderation.models import HIDDEN, REASONS, Flag, ReviewItem
from portal.moderation.trust import flag_weight, refresh
from portal.notifications.services import notify
from portal.public_url import site_path
from portal.site.services import get_settings
from portal.writes import Refused

NOTE_LIMIT = 1000
OUTCOMES = {"approve": "approved", "hide": "hidden", "delete": "deleted", "spam": "spam"}
# Items for posts that were never live: approving one brings its announcement.
NEVER_LIVE = ("held", "spam")


def removed_for_good(kind_name: str, post_id: int) -> bool:
    """A moderator deleted the post or removed it as spam. Ideas and their comments have no
    delete of their own (their votes stay for insights): they stay hidden, and neither an
    edit nor an appeal brings them back."""
    return (
        db.session.scalar(
            db.select(ReviewItem.id)
            .where(
                ReviewItem.kind == kind_name,
                ReviewItem.post_id == post_id,
                ReviewItem.outcome.in_(("deleted", "spam")),
            )
            .limit(1)
        )
        is not None
    )


def open_item(kind_name: str, post_id: int, author_id: int | None, reason: str) -> ReviewItem:
    """The post's open review item, opened now if there is none; locked until commit, so
    flags on one post are counted one writer at a time."""
    insert_or_ignore(
        ReviewItem,
        {
            "kind": kind_name,
            "post_id": post_id,
            "author_id": author_id,
            "reason": reason,
            "opened_at": utcnow(),
            "flag_weight": 0,
        },
        index_elements=["kind", "post_id"],
        index_where=ReviewItem.closed_at.is_(None),
    )
    item_id = db.session.scalar(
        db.select(ReviewItem.id).where(
            ReviewItem.kind == kind_name,
            ReviewItem.post_id == post_id,
            ReviewItem.closed_at.is_(None),
        )
    )
    (item,) = lock_for_write(ReviewItem, item_id)
    return item


@dataclass(frozen=True)
class FlagResult:
    hidden: bool  # this flag's weight hid the post


def check_flag(user: User, post, reason: str, note: str) -> None:
    if reason not in REASONS:
        raise Refused("Choose why you are flagging this.", field="reason")
    if reason in {"moderator", "duplicate"} and not note.strip():
        what = "a link to the original" if reason == "duplicate" else "what a moderator should know"
        raise Refused(f"Add {what}.", field="note")
    if len(note) > NOTE_LIMIT:
        raise Refused(f"Keep the note under {NOTE_LIMIT} characters.", field="note")
    if not can(user, Permission.FLAG, post):
        raise Refused("You can’t flag your own post; edit or delete it instead.")


def flag_post(user: User, kind_name: str, post_id, *, reason: str, note: str = "") -> FlagResult:
    """Flag a post (once per person). When the open flags' weights reach the setting, the post
    is hidden at once, pending review, and its author is told why."""
    kind, post = load_post(kind_name, post_id)
    check_flag(user, post, reason, note)
    # The item first: its row lock makes concurrent flags on one post count one at a time.
    item = open_item(kind.name, post.id, post.author_id, "flagged")
    db.session.refresh(post)  # as the writer before us left it
    weight = flag_weight(user)
    created = insert_or_ignore(
        Flag,
        {
            "kind": kind.name,
            "post_id": post.id,
            "user_id": user.id,
            "reason": reason,
            "note": note.strip() or None,
            "weight": weight,
            "created_at": utcnow(),
            "status": "open",
        },
        index_elements=["kind", "post_id", "user_id"],
    )
    if created is None:
        raise Refused(f"You already flagged this {kind.label}.")
    total = db.session.scalar(
        db.select(func.coalesce(func.sum(Flag.weight), 0)).where(
            Flag.kind == kind.name, Flag.post_id == post.id, Flag.status == "open"
        )
    )
    item.flag_weight = total
    hidden = False
    if total >= current_app.config["MODERATION_HIDE_WEIGHT"] and post.review_state is None:
        kind.set_review_state(post, HIDDEN)
        hidden = True
        log(
            "auto_hide",
            actor=None,
            kind=kind.name,
            post_id=post.id,
            target_user_id=post.author_id,
            reason=f"flags weighing {total}: {REASONS[reason]}",
        )
        notify(
            [post.author_id] if post.author_id else [],
            kind="moderation.hidden",
            title=f"Your {kind.label} on “{kind.title(post)}” was hidden after members flagged "
            f"it ({REASONS[reason].lower()})",
            url=kind.url(post),
            note="Only you and the moderators can see it now. Read the community guidelines, "
            "then edit it: a moderator will look at it again.",
        )
        # Kept pages are versioned by the newest event: this one retires the pages that show
        # the post. A flag alone records no event: it is private and changes no page.
        record_event("moderation.hidden", post_kind=kind.name, post_id=post.id)
    db.session.flush()
    return FlagResult(hidden=hidden)


def retract_flag(user: User, kind_name: str, post_id) -> None:
    kind, post = load_post(kind_name, post_id)
    flag = db.session.scalar(
        db.select(Flag).where(
            Flag.kind == kind.name, Flag.post_id == post.id, Flag.user_id == user.id
        )
    )
    if flag is None:
        raise Refused(f"You have not flagged this {kind.label}.")
    if flag.status != "open":
        raise Refused("A moderator already handled this flag; it can’t be retracted.")
    item = open_item(kind.name, post.id, post.author_id, "flagged")
    db.session.delete(flag)
    db.session.flush()
    item.flag_weight = db.session.scalar(
        db.select(func.coalesce(func.sum(Flag.weight), 0)).where(
            Flag.kind == kind.name, Flag.post_id == post.id, Flag.status == "open"
        )
    )
    if item.flag_weight == 0 and item.reason == "flagged" and post.review_state is None:
        _close(item, by=None, outcome="retracted")
    db.session.flush()


def _close(item: ReviewItem, *, by: User | None, outcome: str) -> None:
    """Close the item unless someone else closed it first."""
    closed = db.session.execute(
        update(ReviewItem)
        .where(ReviewItem.id == item.id, ReviewItem.closed_at.is_(None))
        .values(closed_at=utcnow(), closed_by_id=by.id if by else None, outcome=outcome)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not closed:
        db.session.refresh(item)
        who = item.closed_by.display_name if item.closed_by else "someone"
        raise Refused(f"{who} already handled this item ({item.outcome}).")
    db.session.refresh(item)


def decide(item_id: int, action: str, moderator: User, *, reason: str = "") -> ReviewItem:
    """A moderator's decision on a queue item: approve (the post is seen by everyone, flags
    declined), hide (withheld, flags upheld), delete (the feature's delete, flags upheld) or
    spam (deleted, its text taught to the spam filter, its author suspended)."""
    if action not in OUTCOMES:
        raise Refused("Choose approve, hide, delete or spam.")
    if len(reason) > NOTE_LIMIT:
        raise Refused(f"Keep the reason under {NOTE_LIMIT} characters.", field="reason")
    item = db.session.get(ReviewItem, item_id)
    if item is None:
        raise Refused("That review item does not exist.")
    if item.kind == SUSPENSION:
        return _decide_suspension_appeal(item, action, moderator, reason)
    kind = kind_of(item.kind)
    post = db.session.get(kind.model, item.post_id)
    if post is None or kind.is_deleted(post):
        # Deleted some other way meanwhile: nothing is left to decide.
        _close(item, by=moderator, outcome="deleted")
        return item
    _close(item, by=moderator, outcome=OUTCOMES[action])
    was_withheld = post.review_state is not None
    if action == "approve":
        if was_withheld:
            kind.set_review_state(post, None)
        if item.reason in NEVER_LIVE and kind.announce is not None:
            kind.announce(post)
    elif action == "hide":
        if not was_withheld:
            kind.set_review_state(post, HIDDEN)
    else:
        kind.delete(post, moderator)
    if action == "spam" or (action == "approve" and item.reason == "spam"):
        # The filter learns from both: what a moderator called spam, and a suspect let through.
        spam.record_decision(
            text=kind.text(post),
            is_spam=action == "spam",
            decided_by_id=moderator.id,
            source="moderator" if action == "spam" else "approved",
        )
    upheld = action != "approve"
    db.session.execute(
        update(Flag)
        .where(Flag.kind == item.kind, Flag.post_id == item.post_id, Flag.status == "open")
        .values(status="upheld" if upheld else "declined")
        .execution_options(synchronize_session=False)
    )
    log(
        action,
        actor=moderator,
        kind=item.kind,
        post_id=item.post_id,
        target_user_id=post.author_id,
        reason=reason.strip() or None,
    )
    author = db.session.get(User, post.author_id) if post.author_id else None
    spammer = action == "spam" and author is not None and not author.is_suspended
    if spammer and can(moderator, Permission.DISCIPLINE, author):
        why = (reason.strip() or "Posting spam")[:300]  # the decision's reason may be longer
        suspend(author.id, period="lifted", reason=why, by=moderator)
    if action != "approve" or was_withheld:
        _tell_author(kind, post, action, reason)
    if author is not None:
        refresh(author)  # an approved post may earn a level
    db.session.flush()
    record_event(
        f"moderation.{OUTCOMES[action]}", actor=moderator, post_kind=item.kind, post_id=item.post_id
    )
    return item


def _tell_author(kind: FlaggableKind, post, action: str, reason: str) -> None:
    if not post.author_id:
        return
    titles = {
        "approve": f"Your {kind.label} on “{kind.title(post)}” was approved: everyone sees it",
        "hide": f"A moderator hid your {kind.label} on “{kind.title(post)}”",
        "delete": f"A moderator deleted your {kind.label} on “{kind.title(post)}”",
        "spam": f"A moderator removed your {kind.label} on “{kind.title(post)}” as spam",
    }
    notify(
        [post.author_id],
        kind=f"moderation.{OUTCOMES[action]}",
        title=titles[action],
        url=kind.url(post),
        note=reason.strip() or None,
    )


# The author, beyond the post --------------------------------------------------------------

# How long a moderator may suspend for: days, or None (until someone lifts it).
PERIODS = {"day": (1, "for a day"), "week": (7, "for a week"), "lifted": (None, "until lifted")}
_GUIDELINE = re.compile(r"^\s*[-*]\s+\*\*(.+?)\*\*", re.M)


def guidelines() -> list[str]:
    """The guidelines a warning may name: the bold lead of each item of the guidelines."""
    found = [g.strip().rstrip(".") for g in _GUIDELINE.findall(get_settings().guidelines_markdown)]
    return found or ["The community guidelines"]


def _member(user_id: int, by: User) -> User:
    member = db.session.get(User, user_id)
    if member is None:
        raise Refused("That member no longer exists.")
    if not can(by, Permission.DISCIPLINE, member):
        raise Refused("Moderators warn and suspend members; an admin handles the team.")
    return member


def warn(user_id: int, *, guideline: str, message: str, by: User) -> User:
    """A private warning naming the guideline broken; the member is notified, the log keeps it."""
    member = _member(user_id, by)
    if guideline not in guidelines():
        raise Refused("Choose the guideline the member broke.", field="guideline")
    if len(message) > NOTE_LIMIT:
        raise Refused(f"Keep the message under {NOTE_LIMIT} characters.", field="message")
    notify(
        [member.id],
        kind="moderation.warned",
        title=f"A moderator’s warning: {guideline}",
        url=site_path("main.guidelines"),
        note=message.strip() or None,
    )
    log("warn", actor=by, target_user_id=member.id, reason=f"{guideline}. {message.strip()}")
    db.session.flush()
    return member


def suspend(user_id: int, *, period: str, reason: str, by: User) -> User:
    """Suspend a member for a day, a week or until lifted, saying why; logged and told."""
    member = _member(user_id, by)
    if period not in PERIODS:
        raise Refused("Choose how long: a day, a week or until lifted.", field="period")
    if not reason.strip():
        raise Refused("Say why, so the member knows what to change.", field="reason")
    if len(reason) > 300:
        raise Refused("Keep the reason under 300 characters.", field="reason")
    days, label = PERIODS[period]
    suspend_user(member, reason=reason, by=by, days=days)
    log("suspend", actor=by, target_user_id=member.id, reason=reason.strip(), after=label)
    notify(
        [member.id],
        kind="moderation.suspended",
        title=f"Your account is suspended {label}",
        url=site_path("accounts.profile", user_id=member.id),
        note=reason.strip(),
    )
    db.session.flush()
    return member


# Appeals --------------------------------------------------------------------------------------

SUSPENSION = "suspension"  # a suspension appeal's review item: post_id is the member's id


def appeal(user: User, kind_name: str, post_id, text: str) -> ReviewItem:
    """Ask the moderators to look again, once: at a hidden post of one's own, or at one's
    suspension (once per suspension). The appeal waits in the review queue."""
    text = text.strip()
    if not text:
        raise Refused("Say why the moderators should look again.", field="appeal")
    if len(text) > NOTE_LIMIT:
        raise Refused(f"Keep the appeal under {NOTE_LIMIT} characters.", field="appeal")
    earlier = db.select(ReviewItem.id).where(ReviewItem.appeal.is_not(None))
    if kind_name == SUSPENSION:
        if not user.is_suspended:
            raise Refused("Your account is not suspended.")
        target_id = user.id
        earlier = earlier.where(ReviewItem.opened_at >= user.suspended_at)
        what = "this suspension"
    else:
        kind, post = load_post(kind_name, post_id)
        if post.author_id != user.id:
            raise Refused(f"Only its author can appeal for a {kind.label}.")
        if not post.is_hidden:
            raise Refused(f"This {kind.label} is not hidden, so there is nothing to appeal.")
        if removed_for_good(kind_name, post.id):
            raise Refused(f"A moderator deleted this {kind.label}; it can’t be appealed.")
        target_id = post.id
        what = f"this {kind.label}"
    earlier = earlier.where(ReviewItem.kind == kind_name, ReviewItem.post_id == target_id)
    if db.session.scalar(earlier.limit(1)) is not None:
        raise Refused(f"You already appealed {what}; the moderators’ decision on it stands.")
    item = open_item(kind_name, target_id, user.id, "appeal")
    item.appeal = text
    log(
        "appeal", actor=user, kind=kind_name, post_id=target_id, target_user_id=user.id, reason=text
    )
    db.session.flush()
    return item


def _decide_suspension_appeal(
    item: ReviewItem, action: str, moderator: User, reason: str
) -> ReviewItem:
    """Approve lifts the suspension; hide keeps it. The member is told either way."""
    if action not in {"approve", "hide"}:
        raise Refused("Lift the suspension or keep it.")
    member = db.session.get(User, item.post_id)
    _close(item, by=moderator, outcome=OUTCOMES[action])
    lifted = action == "approve" and member is not None and member.suspended_at is not None
    if lifted:
        unsuspend_user(member, by=moderator)
    log(
        "lift_suspension" if lifted else "keep_suspension",
        actor=moderator,
        kind=SUSPENSION,
        post_id=item.post_id,
        target_user_id=item.post_id,
        reason=reason.strip() or None,
    )
    if member is not None:
        notify(
            [member.id],
            kind="moderation.appeal",
            title="Your appeal was accepted: your suspension is lifted"
            if lifted
            else "Your appeal was declined: your suspension stands",
            url=site_path("accounts.profile", user_id=member.id),
            note=reason.strip() or None,
        )
    db.session.flush()
    return item
