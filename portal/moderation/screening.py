"""Screening a new post before anyone else sees it. A feature's create service asks `screen`
before it writes the post, writes it withheld ("pending") when told to, without the counts,
activity and notifications a live post brings, then calls `admit` once the post has an id.
When a moderator approves a held post, the kind's `announce` brings those then
(services.decide).

Held: a new member's first posts (MODERATION_HOLD_FIRST_POSTS) and their posts with more links
than MODERATION_NEW_MAX_LINKS; any post from below "member" that the spam filter scores at or
above SPAM_THRESHOLD; and any post whose form's honeypot field was filled. The team (staff,
product, community managers, admins) is never held.
"""

from dataclasses import dataclass

from flask import current_app
from flask_login import current_user

from portal.accounts.models import Role, User
from portal.moderation import spam
from portal.moderation.audit import log
from portal.moderation.models import PENDING
from portal.moderation.services import open_item, removed_for_good
from portal.moderation.trust import MEMBER, NEW, live_posts

HELD, SPAM = "held", "spam"  # why a post waits: the review item's reason
WAITS = (
    "Thanks! Your {post} waits for a moderator’s review, as a new member’s first posts and "
    "possible spam do. Only you can see it until then, and we’ll tell you when it is approved."
)


@dataclass(frozen=True)
class Screening:
    author_id: int
    reason: str | None  # HELD, SPAM, or None: everyone sees the post at once
    verdict: spam.SpamVerdict | None = None  # None: not scored (member and above, the team)
    detail: str = ""  # why it waits, for the moderator

    @property
    def review_state(self) -> str | None:
        """What the post is written with."""
        return PENDING if self.reason else None

    @property
    def held(self) -> bool:
        return self.reason is not None


def screen(author: User, text: str, *, honeypot: bool = False) -> Screening:
    """Does a new post by `author` wait for a moderator? Reads, never writes."""
    if author.role != Role.MEMBER:
        return Screening(author.id, None)
    verdict = None
    if author.trust_level < MEMBER or honeypot:
        verdict = spam.score_post(
            author_id=author.id,
            author_created_at=author.created_at,
            text=text,
            honeypot=honeypot,
        )
        if verdict.held:
            why = ", ".join(verdict.reasons) or "the classifier"
            return Screening(author.id, SPAM, verdict, f"spam {verdict.score:.2f}: {why}")
    if author.trust_level != NEW:
        return Screening(author.id, None, verdict)
    links, allowed = spam.count_links(text), current_app.config["MODERATION_NEW_MAX_LINKS"]
    if links > allowed:
        why = f"{links} links, where a new member may post {allowed}"
        return Screening(author.id, HELD, verdict, why)
    hold_first = current_app.config["MODERATION_HOLD_FIRST_POSTS"]
    if hold_first and live_posts(author.id) < hold_first:
        return Screening(author.id, HELD, verdict, "a new member's first posts wait for review")
    return Screening(author.id, None, verdict)


def admit(screening: Screening, kind_name: str, post) -> None:
    """After the post is written: keep its spam fingerprint, and put it in the review queue
    when it waits. In the caller's transaction."""
    if screening.verdict is not None:
        spam.remember(
            screening.verdict, author_id=screening.author_id, kind=kind_name, post_id=post.id
        )
    if not screening.held:
        return
    item = open_item(kind_name, post.id, post.author_id, screening.reason)
    item.detail = screening.detail


def resubmit(kind_name: str, post, editor: User) -> None:
    """A hidden post edited by its author goes back to the moderators: its open review item,
    or a new one ("resubmitted"). In the caller's transaction."""
    if post.is_hidden and editor.id == post.author_id and not removed_for_good(kind_name, post.id):
        open_item(kind_name, post.id, post.author_id, "resubmitted")


def log_edit(kind_name: str, post, editor: User, *, before: str, after: str) -> None:
    """Someone else's post edited (by a moderator): the log keeps both texts."""
    if editor.id != post.author_id:
        log(
            "edit",
            actor=editor,
            kind=kind_name,
            post_id=post.id,
            target_user_id=post.author_id,
            before=before,
            after=after,
        )


def posting_limit(usual: str) -> str:
    """The rate limit on posting for the signed-in person: tighter for new members."""
    user = current_user
    if user.is_authenticated and user.role == Role.MEMBER and user.trust_level == NEW:
        return current_app.config["MODERATION_NEW_POST_LIMIT"]
    return usual
