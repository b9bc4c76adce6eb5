"""Every badge, in one table: what it is called, what earns it, after which activity the
worker looks, and who of the people that activity names has earned it."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, tuple_

from portal.activity.models import ActivityEvent
from portal.clock import utcnow
from portal.events.models import GOING, Event, EventResponse
from portal.extensions import db
from portal.ideas.models import Idea, IdeaStatus
from portal.moderation.models import Flag
from portal.polls.models import PollVote
from portal.support.models import Answer, Question

BRONZE, SILVER, GOLD = "bronze", "silver", "gold"


def _actors(events: list[ActivityEvent]) -> set[int]:
    return {event.actor_id for event in events if event.actor_id}


def _authors_of(model) -> Callable[[list[ActivityEvent]], set[int]]:
    def who(events: list[ActivityEvent]) -> set[int]:
        ids = [event.subject_id for event in events if event.subject_id]
        if not ids:
            return set()
        return set(db.session.scalars(select(model.author_id).where(model.id.in_(ids)))) - {None}

    return who


def _upheld_flaggers(events: list[ActivityEvent]) -> set[int]:
    posts = {
        (event.data["post_kind"], event.data["post_id"])
        for event in events
        if event.data and "post_kind" in event.data
    }
    if not posts:
        return set()
    return set(
        db.session.scalars(
            select(Flag.user_id).where(
                tuple_(Flag.kind, Flag.post_id).in_(posts), Flag.status == "upheld"
            )
        )
    )


def _having(query, people: set[int]) -> set[int]:
    return set(db.session.scalars(query)) if people else set()


def _asked(people):
    return _having(
        select(Question.author_id).where(Question.author_id.in_(people), Question.live()), people
    )


def _answered(people):
    return _having(
        select(Answer.author_id).where(Answer.author_id.in_(people), Answer.live()), people
    )


def _accepted(times: int):
    def earned(people):
        return _having(
            select(Answer.author_id)
            .where(Answer.author_id.in_(people), Answer.is_accepted, Answer.live())
            .group_by(Answer.author_id)
            .having(func.count() >= times),
            people,
        )

    return earned


def _ideas_reached(*statuses: IdeaStatus):
    def earned(people):
        return _having(
            select(Idea.author_id).where(Idea.author_id.in_(people), Idea.status.in_(statuses)),
            people,
        )

    return earned


def _flagged_well(people):
    return _having(
        select(Flag.user_id).where(Flag.user_id.in_(people), Flag.status == "upheld"), people
    )


def _voted_in_polls(people):
    return _having(select(PollVote.user_id).where(PollVote.user_id.in_(people)), people)


ATTENDANCE_DAYS = 7  # events that ended this recently are looked at on each round


def _recent_attendees(_events) -> set[int]:
    """Those who were going to an event that ended lately (not on the waitlist)."""
    now = utcnow()
    return set(
        db.session.scalars(
            select(EventResponse.user_id)
            .join(Event, Event.id == EventResponse.event_id)
            .where(
                Event.ends_at <= now,
                Event.ends_at > now - timedelta(days=ATTENDANCE_DAYS),
                EventResponse.response == GOING,
                EventResponse.waitlisted.is_(False),
            )
        )
    )


@dataclass(frozen=True)
class Badge:
    key: str
    name: str
    description: str  # what earns it, as the profile says it
    tier: str
    after: tuple[str, ...]  # activity kinds after which to look ("" for every round)
    candidates: Callable[[list[ActivityEvent]], set[int]]
    earned: Callable[[set[int]], set[int]]


SHIPPED_OR_ON_THE_WAY = (IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS, IdeaStatus.SHIPPED)
BADGES = (
    Badge(
        "curious", "Curious", "Asked a first question", BRONZE, ("question.asked",), _actors, _asked
    ),
    Badge(
        "helper",
        "Helper",
        "Answered a first question",
        BRONZE,
        ("answer.posted",),
        _actors,
        _answered,
    ),
    Badge(
        "solver",
        "Solver",
        "Had a first answer accepted",
        BRONZE,
        ("answer.accepted",),
        _authors_of(Answer),
        _accepted(1),
    ),
    Badge(
        "expert",
        "Expert",
        "Had 10 answers accepted",
        SILVER,
        ("answer.accepted",),
        _authors_of(Answer),
        _accepted(10),
    ),
    Badge(
        "visionary",
        "Visionary",
        "Suggested an idea the team planned",
        BRONZE,
        ("idea.status_changed",),
        _authors_of(Idea),
        _ideas_reached(*SHIPPED_OR_ON_THE_WAY),
    ),
    Badge(
        "shipper",
        "Shipper",
        "Suggested an idea that shipped",
        GOLD,
        ("idea.status_changed",),
        _authors_of(Idea),
        _ideas_reached(IdeaStatus.SHIPPED),
    ),
    Badge(
        "helpful-flagger",
        "Helpful flagger",
        "Flagged a post a moderator then removed",
        BRONZE,
        ("moderation.hidden", "moderation.deleted", "moderation.spam"),
        _upheld_flaggers,
        _flagged_well,
    ),
    Badge("voice", "Voice", "Voted in a poll", BRONZE, ("poll.voted",), _actors, _voted_in_polls),
    Badge(
        "attendee",
        "Attendee",
        "Went to a community event",
        BRONZE,
        ("",),
        _recent_attendees,
        lambda people: people,
    ),
)
BY_KEY = {badge.key: badge for badge in BADGES}
