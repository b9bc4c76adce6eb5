"""The idea board's rules: suggesting, voting, following, comments, statuses and merging.

Services flush and never commit; the caller commits once. Counters change in SQL in the same
transaction as the row that changes them, and every write records its activity event and, when
searchable text or status changes, a search change.
"""

from slugify import slugify
from sqlalchemy import Select, delete, func, insert, literal, select, update
from sqlalchemy.orm import aliased

from portal.accounts.models import User
from portal.activity import record_event
from portal.clock import utcnow
from portal.database import insert_or_ignore, lock_for_write, take_turns
from portal.extensions import db
from portal.follows.models import MUTED
from portal.follows.services import followers as followers_at
from portal.follows.services import watching
from portal.ideas.links import idea_path
from portal.ideas.models import (
    OPEN_STATUSES,
    STATUS_COLOURS,
    STATUS_NAME_MAX,
    Idea,
    IdeaComment,
    IdeaFollower,
    IdeaStatus,
    IdeaStatusChange,
    IdeaStatusOption,
    IdeaVote,
)
from portal.ideas.queries import has_voted, merge_destination
from portal.ideas.statuses import idea_look, status_by_value
from portal.markdown import excerpt, render_markdown
from portal.mentions import added_mentions, mention_links, mentioned_ids
from portal.moderation.screening import Screening, admit, log_edit, resubmit
from portal.notifications.services import audience, notify, notify_later
from portal.search.changes import record_search_change
from portal.taxonomy.models import ProductArea
from portal.writes import Refused


def follow(idea: Idea, user: User) -> bool:
    """Follow the idea; returns False when the person already followed it. (Voting, suggesting
    and linking a question follow too, inside writes that record their own event.)"""
    values = {"idea_id": idea.id, "user_id": user.id, "created_at": utcnow()}
    return insert_or_ignore(IdeaFollower, values) is not None


def start_following(idea: Idea, user: User) -> bool:
    """Follow from the idea page, recorded: the idea's follower count changes."""
    followed = follow(idea, user)
    if followed:
        area_id = idea.product_area_id
        record_event("idea.followed", actor=user, subject=idea, product_area_id=area_id)
    return followed


def unfollow(idea: Idea, user: User) -> bool:
    result = db.session.execute(
        delete(IdeaFollower).where(IdeaFollower.idea_id == idea.id, IdeaFollower.user_id == user.id)
    )
    if result.rowcount != 1:
        return False
    record_event("idea.unfollowed", actor=user, subject=idea, product_area_id=idea.product_area_id)
    return True


def suggest_idea(
    author: User,
    *,
    title: str,
    body: str,
    area: ProductArea | None,
    at=None,
    screening: Screening | None = None,
) -> Idea:
    """A new idea; its author votes for it and follows it, as on every idea board. With
    `screening` (a member's post, portal/moderation/screening.py) a held idea waits for a
    moderator, off the board."""
    now = at or utcnow()
    idea = Idea(
        title=title.strip(),
        body=body.strip(),
        body_html=render_markdown(body.strip(), mention_links(body)),
        author=author,
        product_area=area,
        status=IdeaStatus.NEW,
        status_changed_at=now,
        created_at=now,
        updated_at=now,
        review_state=screening.review_state if screening else None,
    )
    db.session.add(idea)
    db.session.flush()
    db.session.add(
        IdeaStatusChange(
            idea_id=idea.id, actor_id=author.id, to_status=IdeaStatus.NEW, created_at=now
        )
    )
    _add_vote(idea, author, added_by=None, at=now)
    if screening is not None:
        admit(screening, "idea", idea)
    if screening is None or not screening.held:
        record_search_change("idea", idea.id)
        announce_idea(idea, at=now)
    db.session.flush()
    return idea


def announce_idea(idea: Idea, *, at=None) -> None:
    """What a new idea tells others when it goes live (on approval, if it was held)."""
    record_event(
        "idea.suggested",
        actor=idea.author,
        subject=idea,
        product_area_id=idea.product_area_id,
        at=at,
        title=idea.title,
    )
    where = idea.product_area.name if idea.product_area else "the community"
    notify(
        mentioned_ids(idea.body),
        kind="mention.idea",
        title=f"{idea.author.display_name} mentioned you in the idea “{idea.title}”",
        url=idea_path(idea),
        actor=idea.author,
        note=excerpt(idea.body_html, 300),
        about=("idea", idea.id),
    )
    notify_later(
        "idea_watchers",
        idea.id,
        kind="watch.idea",
        title=f"New idea in {where}: “{idea.title}”",
        url=idea_path(idea),
        actor=idea.author,
        note=excerpt(idea.body_html, 300),
        about=("idea", idea.id),
    )


@audience("idea_watchers")
def _idea_watchers(idea_id: int) -> Select:
    """Who watches the new idea's product area (and has not muted it)."""
    area_id = db.session.scalar(select(Idea.product_area_id).where(Idea.id == idea_id))
    return watching(("area", area_id))


def edit_idea(idea: Idea, *, by: User, title: str, body: str, area: ProductArea | None) -> None:
    """Fix the title, description or product area; merged ideas stay as they were."""
    lock_for_write(Idea, idea.id)  # a merge at the same moment goes first or sees this
    if idea.is_merged:
        raise Refused(_merged_read_only(idea), field="title")
    log_edit("idea", idea, by, before=f"{idea.title}\n\n{idea.body}", after=f"{title}\n\n{body}")
    named = added_mentions(idea.body, body)
    idea.title = title.strip()
    idea.body = body.strip()
    idea.body_html = render_markdown(idea.body, mention_links(idea.body))
    idea.product_area = area
    idea.updated_at = utcnow()
    record_event(
        "idea.edited",
        actor=by,
        subject=idea,
        product_area_id=idea.product_area_id,
        title=idea.title,
    )
    record_search_change("idea", idea.id)
    resubmit("idea", idea, by)
    if idea.review_state is None:  # a held idea names them when it is approved
        notify(
            named,
            kind="mention.idea",
            title=f"{by.display_name} mentioned you in the idea “{idea.title}”",
            url=idea_path(idea),
            actor=by,
            note=excerpt(idea.body_html, 300),
            about=("idea", idea.id),
            unless_muted=("idea", idea.id),
        )
    db.session.flush()


def _closed(idea: Idea) -> Refused:
    if idea.is_merged and idea.merged_into is not None:
        target = idea.merged_into
        return Refused(
            f"This idea was merged into #{target.id} “{target.title}”. "
            "Vote there: your vote counts once.",
            target_url=idea_path(target),
        )
    return Refused(f"Voting is closed: this idea is {idea_look(idea).name.lower()}.")


def _check_takes_votes(idea: Idea) -> None:
    if not idea.takes_votes:
        raise _closed(idea)


def _bump_votes(idea: Idea, delta: int) -> None:
    """Change the counter in SQL, only while the idea takes votes.

    The UPDATE also locks the idea's row (PostgreSQL), so a merge waits for votes in flight and
    a vote that arrives after a merge finds the idea closed instead of landing on it.
    """
    result = db.session.execute(
        update(Idea)
        .where(Idea.id == idea.id, Idea.status.in_([s.value for s in OPEN_STATUSES]))
        .values(vote_count=Idea.vote_count + delta)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(idea)
        raise _closed(idea)


def _add_vote(idea: Idea, user: User, *, added_by: User | None, at=None) -> None:
    _bump_votes(idea, +1)
    inserted = insert_or_ignore(
        IdeaVote,
        {
            "idea_id": idea.id,
            "user_id": user.id,
            "added_by_id": added_by.id if added_by else None,
            "created_at": at or utcnow(),
        },
    )
    if inserted is None:
        # Another request voted first; the caller's transaction is rolled back, so the counter
        # bump above is undone with it.
        raise Refused(_already_voted(user, added_by))
    follow(idea, user)


def _already_voted(user: User, added_by: User | None) -> str:
    if added_by is not None:
        return f"{user.display_name} has already voted for this idea."
    return "You have already voted for this idea."


def cast_vote(idea: Idea, user: User, *, at=None) -> None:
    _check_takes_votes(idea)
    if has_voted(idea, user):
        raise Refused(_already_voted(user, None))
    _add_vote(idea, user, added_by=None, at=at)
    record_event(
        "idea.voted",
        actor=user,
        subject=idea,
        product_area_id=idea.product_area_id,
        at=at,
        title=idea.title,
    )
    db.session.flush()


def withdraw_vote(idea: Idea, user: User) -> None:
    _check_takes_votes(idea)
    if not has_voted(idea, user):
        raise Refused("You have not voted for this idea.")
    _bump_votes(idea, -1)
    removed = db.session.execute(
        delete(IdeaVote).where(IdeaVote.idea_id == idea.id, IdeaVote.user_id == user.id)
    )
    if removed.rowcount != 1:
        raise Refused("You have not voted for this idea.")
    record_event("idea.unvoted", actor=user, subject=idea, product_area_id=idea.product_area_id)
    db.session.flush()


def toggle_vote(idea: Idea, user: User, intent: str | None = None) -> bool:
    """Vote or withdraw. `intent` ("add"/"remove") comes from the button the page showed, so a
    stale second tab cannot flip a vote the wrong way. Returns whether the person now votes."""
    if intent not in {"add", "remove"}:
        intent = "remove" if has_voted(idea, user) else "add"
    if intent == "add":
        cast_vote(idea, user)
        return True
    withdraw_vote(idea, user)
    return False


def set_vote(idea: Idea, user: User, voting: bool) -> bool:
    """Vote (`voting`) or not, whatever the person did before: asking for what already holds
    changes nothing (the API's PUT and DELETE). Returns whether the person now votes."""
    if has_voted(idea, user) == voting:
        return voting
    return toggle_vote(idea, user, "add" if voting else "remove")


def vote_on_behalf(idea: Idea, customer: User, *, by: User, at=None) -> None:
    """A team member records a customer's vote (heard on a call, in a ticket...)."""
    _check_takes_votes(idea)
    if customer.is_suspended:
        raise Refused(f"{customer.display_name}’s account is suspended.", field="customer")
    if has_voted(idea, customer):
        raise Refused(_already_voted(customer, by), field="customer")
    _add_vote(idea, customer, added_by=by, at=at)
    record_event(
        "idea.voted",
        actor=customer,
        subject=idea,
        product_area_id=idea.product_area_id,
        at=at,
        title=idea.title,
        added_by_id=by.id,
    )
    notify(
        [customer.id],
        kind="idea.vote_added",
        title=f"{by.display_name} added your vote to “{idea.title}”",
        url=idea_path(idea),
        actor=by,
        about=("idea", idea.id),
        unless_muted=("idea", idea.id),
    )
    db.session.flush()


def add_comment(
    idea: Idea, author: User, body: str, *, at=None, screening: Screening | None = None
) -> IdeaComment:
    lock_for_write(Idea, idea.id)  # a merge at the same moment goes first or sees this
    if idea.is_merged:
        raise Refused(_merged_read_only(idea), field="body")
    now = at or utcnow()
    comment = IdeaComment(
        idea_id=idea.id,
        author=author,
        body=body.strip(),
        body_html=render_markdown(body.strip(), mention_links(body)),
        created_at=now,
        review_state=screening.review_state if screening else None,
    )
    db.session.add(comment)
    db.session.flush()
    if screening is not None:
        admit(screening, "idea_comment", comment)
        if screening.held:
            return comment  # counted and announced when approved
    db.session.execute(
        update(Idea)
        .where(Idea.id == idea.id)
        .values(comment_count=Idea.comment_count + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    announce_comment(comment, at=now)
    db.session.flush()
    return comment


def announce_comment(comment: IdeaComment, *, at=None) -> None:
    """What a new comment tells others when it goes live (on approval, if it was held)."""
    idea, author = db.session.get(Idea, comment.idea_id), comment.author
    followers = select(IdeaFollower.user_id).where(IdeaFollower.idea_id == idea.id)
    notify(
        followers.union(_author(idea.id)),
        kind="idea.commented",
        title=f"{author.display_name} commented on “{idea.title}”",
        url=idea_path(idea),
        actor=author,
        about=("idea_comment", comment.id),
        unless_muted=("idea", idea.id),
    )
    notify(
        mentioned_ids(comment.body, but={idea.author_id}),
        kind="mention.idea_comment",
        title=f"{author.display_name} mentioned you in a comment on “{idea.title}”",
        url=idea_path(idea),
        actor=author,
        note=excerpt(comment.body_html, 300),
        about=("idea_comment", comment.id),
    )
    record_event(
        "idea.commented",
        actor=author,
        subject=idea,
        product_area_id=idea.product_area_id,
        at=at,
        title=idea.title,
    )


def mark_official(comment: IdeaComment, *, by: User, at=None) -> None:
    """Make this comment the idea's official response (there is at most one); again to unmark."""
    official = not comment.is_official
    db.session.execute(
        update(IdeaComment)
        .where(IdeaComment.idea_id == comment.idea_id, IdeaComment.is_official.is_(True))
        .values(is_official=False)
        .execution_options(synchronize_session=False)
    )
    comment.is_official = official
    idea = db.session.get(Idea, comment.idea_id)
    record_event(
        "idea.official_response" if official else "idea.official_response_removed",
        actor=by,
        subject=idea,
        product_area_id=idea.product_area_id,
        at=at,
        comment_id=comment.id,
    )
    db.session.flush()


def _merged_read_only(idea: Idea) -> str:
    target = idea.merged_into
    where = f" into #{target.id} “{target.title}”" if target is not None else ""
    return f"This idea was merged{where} and is read-only."


def _author(idea_id: int) -> Select:
    return select(Idea.author_id).where(Idea.id == idea_id)


@audience("idea")
def _audience(idea_id: int) -> Select:
    """Author, voters and followers of an idea but those who muted it: thousands, so the
    worker writes to them."""
    voters = select(IdeaVote.user_id).where(IdeaVote.idea_id == idea_id)
    followers = select(IdeaFollower.user_id).where(IdeaFollower.idea_id == idea_id)
    everyone = voters.union(followers, _author(idea_id)).subquery()
    muted = followers_at(MUTED, ("idea", idea_id))
    return select(everyone.c[0]).where(everyone.c[0].not_in(muted))


def change_status(idea: Idea, new_status: str, *, note: str, by: User, at=None) -> None:
    """Move an idea to a status (its value: a kind for the kind's default, or one the admins
    added) with a public note; everyone who cares hears about it."""
    if new_status == IdeaStatus.MERGED:
        raise Refused("Use “Merge into another idea” to merge a duplicate.", field="status")
    chosen = status_by_value(new_status or "")
    if chosen is None:
        raise Refused("Choose one of the statuses in the list.", field="status")
    note = (note or "").strip()
    lock_for_write(Idea, idea.id)  # a merge at the same moment goes first or sees this
    if idea.is_merged:
        raise Refused(_merged_read_only(idea), field="status")
    previous = idea_look(idea)
    if chosen == previous:
        raise Refused(f"The idea is already {chosen.name.lower()}.", field="status")
    if chosen.kind is IdeaStatus.DECLINED and not note:
        raise Refused("Say why the idea is declined: voters deserve a reason.", field="note")
    if chosen.option_id is not None and not lock_for_write(IdeaStatusOption, chosen.option_id):
        raise Refused(f"“{chosen.name}” was just removed: choose another status.", field="status")
    now = at or utcnow()
    idea.status = chosen.kind
    idea.status_option_id = chosen.option_id
    idea.status_changed_at = now
    idea.updated_at = now
    db.session.add(
        IdeaStatusChange(
            idea_id=idea.id,
            actor_id=by.id,
            from_status=previous.kind,
            from_option_id=previous.option_id,
            to_status=chosen.kind,
            to_option_id=chosen.option_id,
            note=note,
            created_at=now,
        )
    )
    notify_later(
        "idea",
        idea.id,
        kind="idea.status_changed",
        title=f"“{idea.title}” is now {chosen.name}",
        url=idea_path(idea),
        actor=by,
        note=note or None,
        about=("idea", idea.id),
    )
    record_event(
        "idea.status_changed",
        actor=by,
        subject=idea,
        product_area_id=idea.product_area_id,
        at=now,
        title=idea.title,
        from_status=previous.kind.value,
        to_status=chosen.kind.value,
        to_status_name=chosen.name,
    )
    record_search_change("idea", idea.id)
    db.session.flush()


def move_votes_and_followers(source_id: int, target_id: int, now) -> None:
    """Votes and followers of `source` go to `target`; a person on both counts once."""
    target_vote = aliased(IdeaVote)
    already = select(target_vote.user_id).where(target_vote.idea_id == target_id)
    db.session.execute(
        update(IdeaVote)
        .where(IdeaVote.idea_id == source_id, IdeaVote.user_id.not_in(already.scalar_subquery()))
        .values(idea_id=target_id)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(delete(IdeaVote).where(IdeaVote.idea_id == source_id))
    target_follower = aliased(IdeaFollower)
    following = select(target_follower.user_id).where(target_follower.idea_id == target_id)
    db.session.execute(
        insert(IdeaFollower).from_select(
            ["idea_id", "user_id", "created_at"],
            select(literal(target_id), IdeaFollower.user_id, literal(now)).where(
                IdeaFollower.idea_id == source_id,
                IdeaFollower.user_id.not_in(following.scalar_subquery()),
            ),
        )
    )
    recount = (
        select(func.count()).where(IdeaVote.idea_id == Idea.id).correlate(Idea).scalar_subquery()
    )
    db.session.execute(
        update(Idea)
        .where(Idea.id.in_([source_id, target_id]))
        .values(vote_count=recount)
        .execution_options(synchronize_session=False)
    )


def merge_ideas(source: Idea, target: Idea, *, by: User, note: str = "", at=None) -> None:
    """Merge duplicate `source` into `target`: voters and followers move, nobody counts twice,
    and ideas merged into `source` earlier now point at `target`, so a chain never forms.

    Merges take turns, and both rows are locked and read afresh before the checks: a merge
    sees what the merges before it did, so merges at the same moment cannot make a cycle or a
    chain. Votes in flight on either idea finish before the move; later ones find the source
    closed.
    """
    if source.id == target.id:
        raise Refused("An idea cannot be merged into itself.", field="target")
    take_turns("ideas.merge")
    if len(lock_for_write(Idea, source.id, target.id)) != 2:
        raise Refused("That idea no longer exists.", field="target")
    if source.is_merged:
        raise Refused(_merged_read_only(source), field="target")
    if target.is_merged:
        final = merge_destination(target)
        hint = f" Merge into #{final.id} “{final.title}” instead." if final else ""
        raise Refused(f"#{target.id} “{target.title}” was itself merged.{hint}", field="target")
    now = at or utcnow()
    note = (note or "").strip() or f"Merged into #{target.id} “{target.title}”."
    # The source's voters hear of it, written before their votes move to the target.
    notify(
        select(IdeaVote.user_id).where(IdeaVote.idea_id == source.id).union(_author(source.id)),
        kind="idea.merged",
        title=f"“{source.title}” was merged into “{target.title}”",
        url=idea_path(target),
        actor=by,
        note=note,
        about=("idea", target.id),
        unless_muted=("idea", source.id),
    )
    move_votes_and_followers(source.id, target.id, now)
    db.session.execute(
        update(Idea)
        .where(Idea.merged_into_id == source.id)
        .values(merged_into_id=target.id)
        .execution_options(synchronize_session=False)
    )
    target.imported_votes += source.imported_votes
    source.imported_votes = 0
    previous = source.status_enum
    previous_option_id = source.status_option_id
    source.status = IdeaStatus.MERGED
    source.status_option_id = None
    source.merged_into = target
    source.status_changed_at = now
    source.updated_at = now
    target.updated_at = now
    db.session.add(
        IdeaStatusChange(
            idea_id=source.id,
            actor_id=by.id,
            from_status=previous,
            from_option_id=previous_option_id,
            to_status=IdeaStatus.MERGED,
            note=note,
            created_at=now,
        )
    )
    db.session.flush()
    db.session.refresh(source)
    db.session.refresh(target)
    record_event(
        "idea.merged",
        actor=by,
        subject=source,
        product_area_id=source.product_area_id,
        at=now,
        title=source.title,
        target_id=target.id,
        target_title=target.title,
    )
    record_search_change("idea", source.id)
    record_search_change("idea", target.id)
    db.session.flush()


# Review (portal/moderation) ---------------------------------------------------------------------


def set_review_state(idea: Idea, state: str | None) -> None:
    """Withhold an idea ("pending", "hidden": off the board, roadmap and search) or show it to
    everyone again (None)."""
    lock_for_write(Idea, idea.id)
    idea.review_state = state
    db.session.flush()
    record_search_change("idea", idea.id, "upsert" if state is None else "delete")


def set_comment_review_state(comment: IdeaComment, state: str | None) -> None:
    """A withheld comment leaves its idea's comment count; it comes back with the comment."""
    was_live, comment.review_state = comment.review_state is None, state
    if was_live != (state is None):
        db.session.execute(
            update(Idea)
            .where(Idea.id == comment.idea_id)
            .values(comment_count=Idea.comment_count + (1 if state is None else -1))
            .execution_options(synchronize_session=False)
        )
    db.session.flush()


# The statuses admins name, colour and order (portal.ideas.statuses reads them) ----------------


def save_status_option(
    option: IdeaStatusOption | None, *, kind: str, name: str, colour: str, by: User
) -> IdeaStatusOption:
    """Add a status within a kind (option=None) or rename and recolour one. Its kind is kept
    for good: ideas of the status keep what they may do (votes, roadmap)."""
    name = " ".join((name or "").split())
    if not name:
        raise Refused("Give the status a name.", field="name")
    if len(name) > STATUS_NAME_MAX:
        raise Refused(f"Keep the name under {STATUS_NAME_MAX} characters.", field="name")
    if colour not in STATUS_COLOURS:
        raise Refused("Choose one of the colours in the list.", field="colour")
    take_turns("idea_status_options")  # two admins adding “Beta” at once: one gets the name
    clash = db.session.scalars(
        select(IdeaStatusOption).where(func.lower(IdeaStatusOption.name) == name.lower())
    ).first()
    if clash is not None and clash is not option:
        raise Refused(f"A status named “{clash.name}” already exists.", field="name")
    if option is None:
        try:
            kind = IdeaStatus(kind)
        except ValueError:
            raise Refused("Choose one of the kinds in the list.", field="kind") from None
        if kind is IdeaStatus.MERGED:
            raise Refused("Choose one of the kinds in the list.", field="kind")
        option = IdeaStatusOption(
            value=_free_status_value(name),
            kind=kind,
            position=1
            + (
                db.session.scalar(
                    select(func.max(IdeaStatusOption.position)).where(IdeaStatusOption.kind == kind)
                )
                or 0
            ),
        )
        db.session.add(option)
    option.name = name
    option.colour = colour
    db.session.flush()
    record_event("idea.statuses_changed", actor=by, status=option.value, name=name)
    return option


def _free_status_value(name: str) -> str:
    base = slugify(name, max_length=32) or "status"
    taken = set(
        db.session.scalars(
            select(IdeaStatusOption.value).where(IdeaStatusOption.value.like(f"{base}%"))
        )
    )
    taken |= {status.value for status in IdeaStatus} | {"all", "open"}  # the filter's words
    value, number = base, 1
    while value in taken:
        number += 1
        value = f"{base}-{number}"
    return value


def move_status_option(option: IdeaStatusOption, step: int, *, by: User) -> None:
    """Move a status one place up (-1) or down (+1) among those of its kind."""
    take_turns("idea_status_options")
    siblings = list(
        db.session.scalars(
            select(IdeaStatusOption)
            .where(IdeaStatusOption.kind == option.kind)
            .order_by(IdeaStatusOption.position, IdeaStatusOption.id)
        )
    )
    here = siblings.index(option)
    there = here + (1 if step > 0 else -1)
    if not 0 <= there < len(siblings):
        raise Refused(f"“{option.name}” is already {'last' if step > 0 else 'first'} of its kind.")
    siblings[here], siblings[there] = siblings[there], siblings[here]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    db.session.flush()
    record_event("idea.statuses_changed", actor=by, status=option.value, moved=step)


def remove_status_option(option: IdeaStatusOption, *, by: User) -> int:
    """Remove a status the admins added; its ideas (the number returned) take their kind's
    default, without notifications: what they may do is unchanged."""
    if option.is_default:
        raise Refused(f"“{option.name}” is its kind’s default: rename it instead.")
    # An idea moving to this status at the same moment waits, then finds it gone.
    lock_for_write(IdeaStatusOption, option.id)
    moved = db.session.execute(
        update(Idea)
        .where(Idea.status_option_id == option.id)
        .values(status_option_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    for column in (IdeaStatusChange.from_option_id, IdeaStatusChange.to_option_id):
        db.session.execute(
            update(IdeaStatusChange)
            .where(column == option.id)
            .values({column.key: None})
            .execution_options(synchronize_session=False)
        )
    db.session.delete(option)
    db.session.flush()
    record_event("idea.statuses_changed", actor=by, status=option.value, removed=moved)
    return moved
