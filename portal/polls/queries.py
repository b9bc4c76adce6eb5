"""Reading polls: results, a member's ballot, and who may see a poll (whoever may see its post)."""

from dataclasses import dataclass

from sqlalchemy import distinct, func, select

from portal.accounts.models import Plan, User
from portal.accounts.permissions import Permission, can
from portal.announcements.models import Announcement
from portal.events.models import Event
from portal.extensions import db
from portal.ideas.models import Idea
from portal.notifications.subjects import still_visible
from portal.polls.models import AFTER_VOTING, Poll, PollOption, PollVote
from portal.public_url import site_path
from portal.support.models import Question


@dataclass(frozen=True)
class Tally:
    option: PollOption
    votes: int
    share: int  # percent of the voters, rounded

    @property
    def label(self) -> str:
        return self.option.label


@dataclass(frozen=True)
class Results:
    voters: int
    tallies: list[Tally]


def may_see(poll: Poll, viewer) -> bool:
    """A poll on its own is public; one under a post is seen by whoever may see the post."""
    if poll.subject_type is None:
        return True
    return still_visible([(poll.subject_type, poll.subject_id, viewer)])[0]


def post_for(kind: str, post_id: int, viewer) -> tuple[str, str] | None:
    """The title and address of a post a new poll may go under: one `viewer` may see."""
    if not still_visible([(kind, post_id, viewer)])[0]:
        return None
    return _link(kind, post_id)


def results(poll: Poll) -> Results:
    counts = dict(
        db.session.execute(
            select(PollVote.option_id, func.count())
            .where(PollVote.poll_id == poll.id)
            .group_by(PollVote.option_id)
        ).all()
    )
    voters = voter_counts([poll.id]).get(poll.id, 0)
    tallies = []
    for option in poll.options:
        votes = counts.get(option.id, 0)
        tallies.append(Tally(option, votes, round(100 * votes / voters) if voters else 0))
    return Results(voters=voters, tallies=tallies)


def voter_counts(poll_ids: list[int]) -> dict[int, int]:
    if not poll_ids:
        return {}
    return dict(
        db.session.execute(
            select(PollVote.poll_id, func.count(distinct(PollVote.user_id)))
            .where(PollVote.poll_id.in_(poll_ids))
            .group_by(PollVote.poll_id)
        ).all()
    )


def ballot_of(viewer, poll: Poll) -> set[int]:
    if not getattr(viewer, "is_authenticated", False):
        return set()
    return set(
        db.session.scalars(
            select(PollVote.option_id).where(
                PollVote.poll_id == poll.id, PollVote.user_id == viewer.id
            )
        )
    )


def results_shown(poll: Poll, viewer, ballot: set[int]) -> bool:
    """After the close for everyone; before it, to those who voted (if the poll says so) and
    to the team, who reads them as they come."""
    if poll.is_closed() or can(viewer, Permission.RUN_POLLS):
        return True
    return poll.results_after == AFTER_VOTING and bool(ballot)


def polls_on(kind: str, subject_id: int) -> list[Poll]:
    return list(
        db.session.scalars(
            select(Poll)
            .where(Poll.subject_type == kind, Poll.subject_id == subject_id)
            .order_by(Poll.id)
        )
    )


def recent_polls(viewer, limit: int = 50) -> list[Poll]:
    """The newest polls the viewer may see, open ones first."""
    polls = list(db.session.scalars(select(Poll).order_by(Poll.id.desc()).limit(limit * 2)))
    seen = still_visible((p.subject_type, p.subject_id, viewer) for p in polls)
    visible = [poll for poll, ok in zip(polls, seen, strict=True) if ok][:limit]
    return sorted(visible, key=lambda poll: poll.is_closed())  # stable: newest first in each


SUBJECT_MODELS = {"question": Question, "idea": Idea, "announcement": Announcement, "event": Event}
SUBJECT_URLS = {
    "question": ("support.question", "question_id"),
    "idea": ("ideas.idea", "idea_id"),
    "announcement": ("announcements.announcement", "announcement_id"),
    "event": ("events.event", "event_id"),
}


def subject_link(poll: Poll) -> tuple[str, str] | None:
    """The title and address of the post the poll is under."""
    return None if poll.subject_type is None else _link(poll.subject_type, poll.subject_id)


def _link(kind: str, post_id: int) -> tuple[str, str] | None:
    post = db.session.get(SUBJECT_MODELS[kind], post_id)
    if post is None:
        return None
    endpoint, argument = SUBJECT_URLS[kind]
    return post.title, site_path(endpoint, **{argument: post.id})


@dataclass(frozen=True)
class SegmentRow:
    option: str
    plan: str
    company: str
    votes: int


def results_by_segment(poll: Poll) -> list[SegmentRow]:
    """Each answer's votes by the voters' plan and company (insights, for the product team)."""
    rows = db.session.execute(
        select(PollOption.label, Plan.name, User.company, func.count())
        .select_from(PollVote)
        .join(PollOption, PollOption.id == PollVote.option_id)
        .join(User, User.id == PollVote.user_id)
        .outerjoin(Plan, Plan.id == User.plan_id)
        .where(PollVote.poll_id == poll.id)
        .group_by(PollOption.position, PollOption.label, Plan.name, User.company)
        .order_by(PollOption.position, func.count().desc())
    ).all()
    return [
        SegmentRow(label, plan or "No plan", (company or "").strip() or "No company", votes)
        for label, plan, company, votes in rows
    ]
