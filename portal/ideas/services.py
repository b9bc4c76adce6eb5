"""The idea board's rules: suggesting, voting, following, comments, statuses and merging.

Services flush and never commit; the caller commits once. Counters change in SQL in the same
transaction as the row that changes them, and every write records its activity event and, when
searchable text or status changes, a search change.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import CompoundSelect, Select, delete, exists, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased, joinedload

from portal.accounts.models import User
from portal.caching import cached
from portal.clock import utcnow
from portal.database import lock_for_write, take_turns
from portal.extensions import db
from portal.ideas.models import (
    OPEN_STATUSES,
    Idea,
    IdeaComment,
    IdeaFollower,
    IdeaQuestion,
    IdeaStatus,
    IdeaStatusChange,
    IdeaVote,
)
from portal.imports.attribution import attributions_for
from portal.insights.events import record_event
from portal.markdown import render_markdown
from portal.notifications.services import audience, notify, notify_later
from portal.pagination import load_in_order
from portal.search.changes import record_search_change
from portal.support.models import Question
from portal.taxonomy.models import ProductArea
from portal.writes import Refused

PER_PAGE = 30
TRENDING_DAYS = 14
TRENDING_WEIGHT = 3  # a vote from the last TRENDING_DAYS counts this many times in Trending
ROADMAP_SHIPPED_DAYS = 90
ROADMAP_PER_COLUMN = 20
MAX_MERGE_HOPS = 5  # a merged idea's page follows at most this many merges to an open idea
SORTS = {"top": "Top", "trending": "Trending", "new": "New"}
STATUS_FILTERS = {"": "Open ideas", "all": "All ideas"} | {
    status.value: status.label for status in IdeaStatus.settable()
}


# Reading -------------------------------------------------------------------------------------


def _with_people():
    return (joinedload(Idea.author), joinedload(Idea.product_area))


def get_idea(idea_id: int) -> Idea | None:
    return db.session.execute(
        select(Idea).options(*_with_people()).where(Idea.id == idea_id)
    ).scalar_one_or_none()


def _recent_votes(since):
    return (
        select(IdeaVote.idea_id, func.count().label("recent"))
        .where(IdeaVote.created_at >= since)
        .group_by(IdeaVote.idea_id)
        .subquery()
    )


def _board_filter(query, status: str, area: ProductArea | None):
    if status == "all":
        query = query.where(Idea.status != IdeaStatus.MERGED)
    elif status in STATUS_FILTERS and status:
        query = query.where(Idea.status == status)
    else:
        query = query.where(Idea.status.in_([s.value for s in OPEN_STATUSES]))
    if area is not None:
        query = query.where(Idea.product_area_id == area.id)
    return query


def board_ids(*, sort: str = "top", status: str = "", area: ProductArea | None = None):
    """The board's idea ids in order (page them with `paginate_ids` and `load_ideas`).

    Top and New are selects that walk an index. Trending weighs every idea's recent votes, so
    its ranking is computed once per change in the community (see `portal.caching`)."""
    total = Idea.vote_count + Idea.imported_votes
    if sort == "trending":
        # The window moves by the hour, so a ranking stays exact for the hour it is cached in.
        since = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(days=TRENDING_DAYS)
        recent = _recent_votes(since)
        score = func.coalesce(recent.c.recent, 0) * TRENDING_WEIGHT + total
        ranking = (
            _board_filter(select(Idea.id), status, area)
            .outerjoin(recent, recent.c.idea_id == Idea.id)
            .order_by(score.desc(), Idea.created_at.desc(), Idea.id.desc())
        )
        key = (status, area.id if area else None, since)
        return cached("ideas.trending", *key, compute=lambda: list(db.session.scalars(ranking)))
    query = _board_filter(select(Idea.id), status, area)
    if sort == "new":
        return query.order_by(Idea.created_at.desc(), Idea.id.desc())
    return query.order_by(total.desc(), Idea.created_at.desc(), Idea.id.desc())


def load_ideas(ids: list[int]) -> list[Idea]:
    """The ideas with these ids, in that order, with author and product area loaded."""
    return load_in_order(select(Idea).options(*_with_people()), ids)


def voted_idea_ids(user, idea_ids) -> set[int]:
    """Which of these ideas `user` voted for, in one query."""
    idea_ids = list(idea_ids)
    if not getattr(user, "is_authenticated", False) or not idea_ids:
        return set()
    return set(
        db.session.scalars(
            select(IdeaVote.idea_id).where(
                IdeaVote.user_id == user.id, IdeaVote.idea_id.in_(idea_ids)
            )
        )
    )


def top_ideas(limit: int = 5) -> list[Idea]:
    return load_ideas(list(db.session.scalars(board_ids(sort="top").limit(limit))))


@dataclass
class IdeaPage:
    """Everything the idea page shows, loaded with a fixed number of queries."""

    idea: Idea
    history: list[IdeaStatusChange]
    comments: list[IdeaComment]
    merged_from: list[Idea]
    recent_voters: list[IdeaVote]
    follower_count: int
    has_voted: bool
    is_following: bool
    linked_questions: list = field(default_factory=list)
    attributions: dict = field(default_factory=dict)  # (kind, id) -> Attribution (imported)


def load_idea_page(idea: Idea, user) -> IdeaPage:
    history = db.session.scalars(
        select(IdeaStatusChange)
        .options(joinedload(IdeaStatusChange.actor))
        .where(IdeaStatusChange.idea_id == idea.id)
        .order_by(IdeaStatusChange.created_at.desc(), IdeaStatusChange.id.desc())
    ).all()
    comments = db.session.scalars(
        select(IdeaComment)
        .options(joinedload(IdeaComment.author))
        .where(IdeaComment.idea_id == idea.id)
        .order_by(IdeaComment.is_official.desc(), IdeaComment.created_at, IdeaComment.id)
    ).all()
    merged_from = db.session.scalars(
        select(Idea).where(Idea.merged_into_id == idea.id).order_by(Idea.id)
    ).all()
    recent_voters = db.session.scalars(
        select(IdeaVote)
        .options(joinedload(IdeaVote.user))
        .where(IdeaVote.idea_id == idea.id)
        .order_by(IdeaVote.created_at.desc(), IdeaVote.id.desc())
        .limit(12)
    ).all()
    signed_in = getattr(user, "is_authenticated", False)
    user_id = user.id if signed_in else None
    # A popular idea has tens of thousands of followers: counted once per community version.
    follower_count = cached(
        "ideas.followers",
        idea.id,
        compute=lambda: db.session.scalar(
            select(func.count()).where(IdeaFollower.idea_id == idea.id)
        ),
    )
    is_following = signed_in and db.session.scalar(
        select(exists().where(IdeaFollower.idea_id == idea.id, IdeaFollower.user_id == user_id))
    )
    linked_questions = db.session.scalars(
        select(Question)
        .join(IdeaQuestion, IdeaQuestion.question_id == Question.id)
        .where(IdeaQuestion.idea_id == idea.id, Question.deleted_at.is_(None))
        .order_by(Question.created_at.desc())
    ).all()
    attributions = attributions_for(
        [("idea", idea.id)] + [("idea_comment", comment.id) for comment in comments]
    )
    return IdeaPage(
        idea=idea,
        linked_questions=list(linked_questions),
        attributions=attributions,
        history=list(history),
        comments=list(comments),
        merged_from=list(merged_from),
        recent_voters=list(recent_voters),
        follower_count=follower_count,
        has_voted=bool(signed_in and voted_idea_ids(user, [idea.id])),
        is_following=bool(is_following),
    )


def voters_and_followers(idea_id: int) -> tuple[Select, Select]:
    """Who voted for the idea, and who follows it (two queries of user ids)."""
    return (
        select(IdeaVote.user_id).where(IdeaVote.idea_id == idea_id),
        select(IdeaFollower.user_id).where(IdeaFollower.idea_id == idea_id),
    )


def has_voted_or_follows(user, idea_id: int) -> bool:
    voted = exists().where(IdeaVote.idea_id == idea_id, IdeaVote.user_id == user.id)
    follows = exists().where(IdeaFollower.idea_id == idea_id, IdeaFollower.user_id == user.id)
    return bool(db.session.scalar(select(voted | follows)))


@dataclass
class RoadmapColumn:
    ideas: list[Idea]  # the first ROADMAP_PER_COLUMN
    total: int


def roadmap_columns(area: ProductArea | None = None) -> dict[IdeaStatus, RoadmapColumn]:
    """Planned and In progress ideas (most votes first) and those Shipped in the last 90 days
    (latest first): the first few of each, and how many there are."""
    shipped_since = utcnow() - timedelta(days=ROADMAP_SHIPPED_DAYS)
    total_votes = (Idea.vote_count + Idea.imported_votes).desc()
    orders = {
        IdeaStatus.PLANNED: (total_votes, Idea.id),
        IdeaStatus.IN_PROGRESS: (total_votes, Idea.id),
        IdeaStatus.SHIPPED: (Idea.status_changed_at.desc(), Idea.id),
    }
    columns = {}
    for status, order in orders.items():
        conditions = [Idea.status == status]
        if status is IdeaStatus.SHIPPED:
            conditions.append(Idea.status_changed_at >= shipped_since)
        if area is not None:
            conditions.append(Idea.product_area_id == area.id)
        ideas = list(
            db.session.scalars(
                select(Idea)
                .options(joinedload(Idea.product_area))
                .where(*conditions)
                .order_by(*order)
                .limit(ROADMAP_PER_COLUMN)
            )
        )
        total = len(ideas)
        if total == ROADMAP_PER_COLUMN:
            total = db.session.scalar(select(func.count(Idea.id)).where(*conditions))
        columns[status] = RoadmapColumn(ideas, total)
    return columns


def find_customer(name_or_email: str) -> User:
    """The one person with this email or display name (case-insensitive), or Refused."""
    needle = (name_or_email or "").strip()
    if not needle:
        raise Refused("Enter the customer’s name or email.", field="customer")
    column = User.email if "@" in needle else User.display_name
    matches = db.session.scalars(
        select(User).where(func.lower(column) == needle.lower()).limit(3)
    ).all()
    if not matches:
        raise Refused(f"No one called “{needle}” has an account here.", field="customer")
    if len(matches) > 1:
        raise Refused(
            f"More than one person is called “{needle}”; enter their email instead.",
            field="customer",
        )
    return matches[0]


# Writing -------------------------------------------------------------------------------------


def _idea_url(idea: Idea) -> str:
    """The idea page's path, stored in notifications; built without a request (CLI, demo)."""
    return current_app.url_map.bind("").build("ideas.idea", {"idea_id": idea.id})


def _insert_ignoring_duplicates(model, values: dict) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING on either database; True when a row was inserted."""
    dialect = db.session.get_bind().dialect.name
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(model).values(**values)
    keys = model.__table__.primary_key.columns
    return (
        db.session.execute(statement.on_conflict_do_nothing().returning(*keys)).first() is not None
    )


def follow(idea: Idea, user: User) -> bool:
    """Follow the idea; returns False when the person already followed it. (Voting, suggesting
    and linking a question follow too, inside writes that record their own event.)"""
    return _insert_ignoring_duplicates(
        IdeaFollower, {"idea_id": idea.id, "user_id": user.id, "created_at": utcnow()}
    )


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


def suggest_idea(author: User, *, title: str, body: str, area: ProductArea | None, at=None) -> Idea:
    """A new idea; its author votes for it and follows it, as on every idea board."""
    now = at or utcnow()
    idea = Idea(
        title=title.strip(),
        body=body.strip(),
        body_html=render_markdown(body.strip()),
        author=author,
        product_area=area,
        status=IdeaStatus.NEW,
        status_changed_at=now,
        created_at=now,
        updated_at=now,
    )
    db.session.add(idea)
    db.session.flush()
    db.session.add(
        IdeaStatusChange(
            idea_id=idea.id, actor_id=author.id, to_status=IdeaStatus.NEW, created_at=now
        )
    )
    _add_vote(idea, author, added_by=None, at=now)
    record_event(
        "idea.suggested",
        actor=author,
        subject=idea,
        product_area_id=idea.product_area_id,
        at=now,
        title=idea.title,
    )
    record_search_change("idea", idea.id)
    db.session.flush()
    return idea


def edit_idea(idea: Idea, *, by: User, title: str, body: str, area: ProductArea | None) -> None:
    """Fix the title, description or product area; merged ideas stay as they were."""
    lock_for_write(Idea, idea.id)  # a merge at the same moment goes first or sees this
    if idea.is_merged:
        raise Refused(_merged_read_only(idea), field="title")
    idea.title = title.strip()
    idea.body = body.strip()
    idea.body_html = render_markdown(idea.body)
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
    db.session.flush()


def _closed(idea: Idea) -> Refused:
    if idea.is_merged and idea.merged_into is not None:
        target = idea.merged_into
        return Refused(
            f"This idea was merged into #{target.id} “{target.title}”. "
            "Vote there: your vote counts once.",
            target_url=_idea_url(target),
        )
    return Refused(f"Voting is closed: this idea is {idea.status_enum.label.lower()}.")


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
    inserted = _insert_ignoring_duplicates(
        IdeaVote,
        {
            "idea_id": idea.id,
            "user_id": user.id,
            "added_by_id": added_by.id if added_by else None,
            "created_at": at or utcnow(),
        },
    )
    if not inserted:
        # Another request voted first; the caller's transaction is rolled back, so the counter
        # bump above is undone with it.
        raise Refused(_already_voted(user, added_by))
    follow(idea, user)


def _already_voted(user: User, added_by: User | None) -> str:
    if added_by is not None:
        return f"{user.display_name} has already voted for this idea."
    return "You have already voted for this idea."


def has_voted(idea: Idea, user: User) -> bool:
    return bool(voted_idea_ids(user, [idea.id]))


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
        url=_idea_url(idea),
        actor=by,
    )
    db.session.flush()


def add_comment(idea: Idea, author: User, body: str, *, at=None) -> IdeaComment:
    lock_for_write(Idea, idea.id)  # a merge at the same moment goes first or sees this
    if idea.is_merged:
        raise Refused(_merged_read_only(idea), field="body")
    now = at or utcnow()
    comment = IdeaComment(
        idea_id=idea.id,
        author=author,
        body=body.strip(),
        body_html=render_markdown(body.strip()),
        created_at=now,
    )
    db.session.add(comment)
    db.session.execute(
        update(Idea)
        .where(Idea.id == idea.id)
        .values(comment_count=Idea.comment_count + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    followers = select(IdeaFollower.user_id).where(IdeaFollower.idea_id == idea.id)
    notify(
        followers.union(_author(idea.id)),
        kind="idea.commented",
        title=f"{author.display_name} commented on “{idea.title}”",
        url=_idea_url(idea),
        actor=author,
    )
    record_event(
        "idea.commented",
        actor=author,
        subject=idea,
        product_area_id=idea.product_area_id,
        at=now,
        title=idea.title,
    )
    db.session.flush()
    return comment


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
def _audience(idea_id: int) -> CompoundSelect:
    """Author, voters and followers of an idea: thousands, so the worker writes to them."""
    voters = select(IdeaVote.user_id).where(IdeaVote.idea_id == idea_id)
    followers = select(IdeaFollower.user_id).where(IdeaFollower.idea_id == idea_id)
    return voters.union(followers, _author(idea_id))


def change_status(idea: Idea, new_status: str, *, note: str, by: User, at=None) -> None:
    """Move an idea to a new status with a public note; everyone who cares hears about it."""
    try:
        status = IdeaStatus(new_status)
    except ValueError:
        raise Refused("Choose one of the statuses in the list.", field="status") from None
    note = (note or "").strip()
    lock_for_write(Idea, idea.id)  # a merge at the same moment goes first or sees this
    if idea.is_merged:
        raise Refused(_merged_read_only(idea), field="status")
    if status is IdeaStatus.MERGED:
        raise Refused("Use “Merge into another idea” to merge a duplicate.", field="status")
    if status == idea.status:
        raise Refused(f"The idea is already {status.label.lower()}.", field="status")
    if status is IdeaStatus.DECLINED and not note:
        raise Refused("Say why the idea is declined: voters deserve a reason.", field="note")
    now = at or utcnow()
    previous = idea.status_enum
    idea.status = status
    idea.status_changed_at = now
    idea.updated_at = now
    db.session.add(
        IdeaStatusChange(
            idea_id=idea.id,
            actor_id=by.id,
            from_status=previous,
            to_status=status,
            note=note,
            created_at=now,
        )
    )
    notify_later(
        "idea",
        idea.id,
        kind="idea.status_changed",
        title=f"“{idea.title}” is now {status.label}",
        url=_idea_url(idea),
        actor=by,
        note=note or None,
    )
    record_event(
        "idea.status_changed",
        actor=by,
        subject=idea,
        product_area_id=idea.product_area_id,
        at=now,
        title=idea.title,
        from_status=previous.value,
        to_status=status.value,
    )
    record_search_change("idea", idea.id)
    db.session.flush()


def merge_destination(idea: Idea) -> Idea | None:
    """Where a merged idea's visitors go: the open end of its merge chain. None for an idea that
    is not merged, or whose chain loops or runs past MAX_MERGE_HOPS (damaged data, which
    `flask ideas check-counters` reports and repairs): its own page shows then."""
    seen = {idea.id}
    current = idea
    for _ in range(MAX_MERGE_HOPS + 1):  # the idea after each of at most MAX_MERGE_HOPS hops
        if not current.is_merged or current.merged_into_id is None:
            return None if current is idea else current
        current = db.session.get(Idea, current.merged_into_id)
        if current is None or current.id in seen:
            return None
        seen.add(current.id)
    return None


def _move_votes_and_followers(source_id: int, target_id: int, now) -> None:
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
        url=_idea_url(target),
        actor=by,
        note=note,
    )
    _move_votes_and_followers(source.id, target.id, now)
    db.session.execute(
        update(Idea)
        .where(Idea.merged_into_id == source.id)
        .values(merged_into_id=target.id)
        .execution_options(synchronize_session=False)
    )
    target.imported_votes += source.imported_votes
    source.imported_votes = 0
    previous = source.status_enum
    source.status = IdeaStatus.MERGED
    source.merged_into = target
    source.status_changed_at = now
    source.updated_at = now
    target.updated_at = now
    db.session.add(
        IdeaStatusChange(
            idea_id=source.id,
            actor_id=by.id,
            from_status=previous,
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


# Checking counters ---------------------------------------------------------------------------


def _recounts():
    votes = select(func.count()).where(IdeaVote.idea_id == Idea.id).correlate(Idea)
    comments = select(func.count()).where(IdeaComment.idea_id == Idea.id).correlate(Idea)
    return votes.scalar_subquery(), comments.scalar_subquery()


@dataclass
class CounterDrift:
    idea_id: int
    vote_count: int
    votes_counted: int
    comment_count: int
    comments_counted: int


def counter_drift() -> list[CounterDrift]:
    """Ideas whose stored vote or comment count differs from a recount of the rows."""
    votes, comments = _recounts()
    rows = db.session.execute(
        select(Idea.id, Idea.vote_count, votes, Idea.comment_count, comments)
        .where((Idea.vote_count != votes) | (Idea.comment_count != comments))
        .order_by(Idea.id)
    ).all()
    return [CounterDrift(*row) for row in rows]


def fix_counters() -> int:
    """Set every idea's counters to a recount of its rows; returns how many ideas changed."""
    votes, comments = _recounts()
    result = db.session.execute(
        update(Idea)
        .where((Idea.vote_count != votes) | (Idea.comment_count != comments))
        .values(vote_count=votes, comment_count=comments)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


@dataclass
class BrokenMerges:
    """Merged ideas whose target was itself merged. Each cycle lists its ideas from the lowest
    id, in merge order; each chain runs from a merged idea to where its merges end (an open
    idea, or an idea of a cycle)."""

    cycles: list[list[int]]
    chains: list[list[int]]

    def lines(self) -> list[str]:
        def arrows(path):
            return " → ".join(f"#{idea_id}" for idea_id in path)

        return [f"merge cycle: {arrows([*cycle, cycle[0]])}" for cycle in self.cycles] + [
            f"merge chain: {arrows(chain)} (#{chain[0]} should point at #{chain[-1]})"
            for chain in self.chains
        ]

    def __bool__(self) -> bool:
        return bool(self.cycles or self.chains)


def _merge_targets() -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Idea.id, Idea.merged_into_id).where(Idea.merged_into_id.is_not(None))
        ).all()
    )


def broken_merges() -> BrokenMerges:
    """Merges are made so that a merged idea points at an open one (merging repoints the ideas
    merged into the source); this finds where the data says otherwise."""
    targets = _merge_targets()
    in_cycle: set[int] = set()
    cycles, chains = [], []
    for idea_id in sorted(targets):
        path = [idea_id]
        while path[-1] in targets and targets[path[-1]] not in path:
            path.append(targets[path[-1]])
        if path[-1] in targets:  # the next merge leads back onto the path
            cycle = path[path.index(targets[path[-1]]) :]
            if not in_cycle & set(cycle):
                start = cycle.index(min(cycle))
                cycles.append(cycle[start:] + cycle[:start])
                in_cycle |= set(cycle)
        if idea_id not in in_cycle and len(path) > 2:
            chains.append(path)
    return BrokenMerges(cycles, chains)


def repair_merges(broken: BrokenMerges, *, at=None) -> int:
    """Reopen one idea of each cycle, point every merged idea at the open end of its chain and
    move the votes still on merged ideas there; returns how many ideas changed.

    A cycle reopens the idea holding the most votes (the lowest id of equals): its voters keep
    their votes where they are, and everyone else's follow the merges to it. It returns to the
    status it had before it was merged."""
    now = at or utcnow()
    changed = 0
    for cycle in broken.cycles:
        votes = dict(
            db.session.execute(
                select(IdeaVote.idea_id, func.count())
                .where(IdeaVote.idea_id.in_(cycle))
                .group_by(IdeaVote.idea_id)
            ).all()
        )
        reopened = db.session.get(Idea, min(cycle, key=lambda i: (-votes.get(i, 0), i)))
        before = db.session.scalar(
            select(IdeaStatusChange.from_status)
            .where(
                IdeaStatusChange.idea_id == reopened.id,
                IdeaStatusChange.to_status == IdeaStatus.MERGED,
            )
            .order_by(IdeaStatusChange.created_at.desc(), IdeaStatusChange.id.desc())
            .limit(1)
        )
        status = IdeaStatus(before) if before and before != IdeaStatus.MERGED else IdeaStatus.NEW
        db.session.add(
            IdeaStatusChange(
                idea_id=reopened.id,
                actor_id=None,
                from_status=IdeaStatus.MERGED,
                to_status=status,
                note="Reopened: merges at the same moment had merged it in a circle.",
                created_at=now,
            )
        )
        reopened.status = status
        reopened.merged_into_id = None
        reopened.status_changed_at = now
        record_search_change("idea", reopened.id)
        changed += 1
    db.session.flush()
    targets = _merge_targets()
    holding_votes = set(db.session.scalars(select(IdeaVote.idea_id).distinct()))
    for idea_id, target_id in sorted(targets.items()):
        final = target_id
        for _ in range(len(targets)):  # bounded: every cycle was broken above
            if final not in targets:
                break
            final = targets[final]
        if final != target_id:
            db.session.execute(
                update(Idea)
                .where(Idea.id == idea_id)
                .values(merged_into_id=final)
                .execution_options(synchronize_session=False)
            )
            changed += 1
        if idea_id in holding_votes:
            _move_votes_and_followers(idea_id, final, now)
    db.session.flush()
    return changed
