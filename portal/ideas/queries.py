"""The idea board's reads: board and roadmap lists, the idea page, who voted and follows."""

import functools
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Select, and_, bindparam, exists, func, or_, select, true
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.accounts.permissions import Permission, can
from portal.attribution import attributions_for
from portal.caching import cached
from portal.clock import utcnow
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
from portal.ideas.statuses import (
    ROADMAP_KINDS,
    StatusLook,
    flat_choices,
    look,
    status_by_value,
    status_options,
)
from portal.pagination import load_in_order
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


def status_filters() -> dict[str, str]:
    """The board's status filter: open ideas, all, or one status as the admins named it."""
    return {"": "Open ideas", "all": "All ideas"} | dict(flat_choices())


def has_status(status: StatusLook):
    """Ideas of exactly this status (a kind's default is stored as no option)."""
    option = Idea.status_option_id
    return and_(
        Idea.status == status.kind,
        option.is_(None) if status.is_default else option == status.id,
    )


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
    query = query.where(Idea.review_state.is_(None))  # withheld ideas are on no board
    if status == "all":
        query = query.where(Idea.status != IdeaStatus.MERGED)
    elif (chosen := status_by_value(status)) is not None:
        query = query.where(has_status(chosen))
    else:
        query = query.where(Idea.status.in_([s.value for s in OPEN_STATUSES]))
    if area is not None:
        query = query.where(Idea.product_area_id == area.id)
    return query


def board_ideas(status: str = "", area: ProductArea | None = None) -> Select:
    """A select of the ideas on the board with this status filter, unordered (the API pages
    it by cursor)."""
    return _board_filter(select(Idea), status, area)


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


def voted_idea_ids(user, idea_ids) -> frozenset[int]:
    """Which of these ideas `user` voted for, in one query."""
    idea_ids = list(idea_ids)
    if not getattr(user, "is_authenticated", False) or not idea_ids:
        return frozenset()
    return frozenset(db.session.scalars(_voted_among(), {"user_id": user.id, "idea_ids": idea_ids}))


@functools.cache
def _voted_among():
    """Built once, like `_voted_or_follows`: a member's every look at the board asks it."""
    return select(IdeaVote.idea_id).where(
        IdeaVote.user_id == bindparam("user_id"),
        IdeaVote.idea_id.in_(bindparam("idea_ids", expanding=True)),
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


def may_see(idea: Idea, viewer) -> bool:
    """A withheld idea (waiting for review, hidden) is seen by its author and moderators."""
    if idea.review_state is None or can(viewer, Permission.MODERATE):
        return True
    return getattr(viewer, "is_authenticated", False) and idea.author_id == viewer.id


def _comments_seen_by(viewer):
    if can(viewer, Permission.MODERATE):
        return true()
    if getattr(viewer, "is_authenticated", False):
        return or_(IdeaComment.review_state.is_(None), IdeaComment.author_id == viewer.id)
    return IdeaComment.review_state.is_(None)


def withheld_comment_authors(idea_id: int) -> frozenset[int]:
    """Who wrote a comment on the idea that only they (and moderators) see."""
    rows = db.session.scalars(
        select(IdeaComment.author_id).where(
            IdeaComment.idea_id == idea_id, IdeaComment.review_state.is_not(None)
        )
    )
    return frozenset(author_id for author_id in rows if author_id is not None)


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
        .where(IdeaComment.idea_id == idea.id, _comments_seen_by(user))
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
        .where(IdeaQuestion.idea_id == idea.id, Question.live())
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
    return bool(db.session.scalar(_voted_or_follows(), {"idea_id": idea_id, "user_id": user.id}))


@functools.cache
def _voted_or_follows():
    """Built once: a member's every visit to a popular idea asks it (views._nothing_of_theirs),
    and building the statement cost more than running it."""
    idea_id, user_id = bindparam("idea_id"), bindparam("user_id")
    voted = exists().where(IdeaVote.idea_id == idea_id, IdeaVote.user_id == user_id)
    follows = exists().where(IdeaFollower.idea_id == idea_id, IdeaFollower.user_id == user_id)
    return select(voted | follows)


@dataclass
class RoadmapColumn:
    ideas: list[Idea]  # the first ROADMAP_PER_COLUMN
    total: int


def roadmap_columns(area: ProductArea | None = None) -> dict[StatusLook, RoadmapColumn]:
    """A column for each planned, in-progress and done status, in the admins' order: the
    first few ideas of each (most votes first; done: those of the last 90 days, latest first)
    and how many there are."""
    shipped_since = utcnow() - timedelta(days=ROADMAP_SHIPPED_DAYS)
    total_votes = (Idea.vote_count + Idea.imported_votes).desc()
    columns = {}
    for status in status_options():
        if status.kind not in ROADMAP_KINDS:
            continue
        conditions = [has_status(status), Idea.review_state.is_(None)]
        if status.kind is IdeaStatus.SHIPPED:
            conditions.append(Idea.status_changed_at >= shipped_since)
            order = (Idea.status_changed_at.desc(), Idea.id)
        else:
            order = (total_votes, Idea.id)
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


def has_voted(idea: Idea, user: User) -> bool:
    return bool(voted_idea_ids(user, [idea.id]))


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


def ideas_per_status() -> dict[int, int]:
    """How many ideas each status has, by the status's id (for the admins)."""
    rows = db.session.execute(
        select(Idea.status, Idea.status_option_id, func.count())
        .where(Idea.status != IdeaStatus.MERGED)
        .group_by(Idea.status, Idea.status_option_id)
    )
    counts: dict[int, int] = {}
    for kind, option_id, count in rows:
        status = look(kind, option_id)
        counts[status.id] = counts.get(status.id, 0) + count
    return counts
