"""Reading badges and the leaderboards."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.badges.definitions import BY_KEY, Badge
from portal.badges.models import BadgeAward
from portal.extensions import db
from portal.support.models import Answer, Question, Vote

BOARD_SIZE = 20


@dataclass(frozen=True)
class Earned:
    badge: Badge
    awarded_at: datetime


def badges_of(user_id: int) -> list[Earned]:
    rows = db.session.execute(
        select(BadgeAward.badge, BadgeAward.awarded_at)
        .where(BadgeAward.user_id == user_id)
        .order_by(BadgeAward.awarded_at, BadgeAward.id)
    )
    return [Earned(BY_KEY[key], at) for key, at in rows if key in BY_KEY]


@dataclass(frozen=True)
class Place:
    user_id: int
    name: str
    count: int
    badges: int


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1)
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, end


def _places(query, limit: int) -> list[Place]:
    """Top people of a (user id, count) query: members who stay on the boards, not
    suspended, with their badge count."""
    counted = query.subquery()
    badges = User.gold_badges + User.silver_badges + User.bronze_badges
    rows = db.session.execute(
        select(User.id, User.display_name, counted.c.count, badges)
        .join(counted, counted.c.user_id == User.id)
        .where(User.on_leaderboards, User.suspended_at.is_(None))
        .order_by(counted.c.count.desc(), User.id)
        .limit(limit)
    ).all()
    return [Place(*row) for row in rows]


def _on_live_questions(query, month: date, when, area_id: int | None):
    """Per answerer, the query's answers of the month on live questions (of the area)."""
    start, end = month_bounds(month)
    query = (
        query.join(Question, Question.id == Answer.question_id)
        .where(when >= start, when < end, Answer.live(), Question.live())
        .group_by(Answer.author_id)
    )
    if area_id is not None:
        query = query.where(Question.product_area_id == area_id)
    return query


PER_ANSWERER = (Answer.author_id.label("user_id"), func.count().label("count"))


def top_accepted(month: date, area_id: int | None = None, limit: int = BOARD_SIZE) -> list[Place]:
    """Who had the most answers accepted in the month."""
    accepted = select(*PER_ANSWERER).where(Answer.is_accepted)
    return _places(_on_live_questions(accepted, month, Answer.accepted_at, area_id), limit)


def top_helpful(month: date, area_id: int | None = None, limit: int = BOARD_SIZE) -> list[Place]:
    """Whose answers got the most up votes in the month."""
    voted = (
        select(*PER_ANSWERER)
        .select_from(Vote)
        .join(Answer, Answer.id == Vote.answer_id)
        .where(Vote.value == 1)
    )
    return _places(_on_live_questions(voted, month, Vote.created_at, area_id), limit)


def earner_counts() -> dict[str, int]:
    """How many members (not suspended) have each badge."""
    return dict(
        db.session.execute(
            select(BadgeAward.badge, func.count())
            .join(User, User.id == BadgeAward.user_id)
            .where(User.suspended_at.is_(None))
            .group_by(BadgeAward.badge)
        ).all()
    )


def recent_earners(badge: Badge, limit: int = 60) -> list[tuple[User, datetime]]:
    """The members (not suspended) who earned the badge last, newest first."""
    return [
        tuple(row)
        for row in db.session.execute(
            select(User, BadgeAward.awarded_at)
            .join(BadgeAward, BadgeAward.user_id == User.id)
            .where(BadgeAward.badge == badge.key, User.suspended_at.is_(None))
            .order_by(BadgeAward.awarded_at.desc(), BadgeAward.id.desc())
            .limit(limit)
        )
    ]
