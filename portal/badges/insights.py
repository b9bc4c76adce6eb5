"""Insights: the badges awarded in the period (how many members reached each milestone)."""

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.badges.definitions import BADGES
from portal.badges.models import BadgeAward
from portal.extensions import db
from portal.insights.filters import InsightsFilters
from portal.insights.panels import Panel, register_panel


def badges_panel(filters: InsightsFilters) -> Panel:
    query = (
        select(BadgeAward.badge, func.count())
        .where(BadgeAward.awarded_at >= filters.start, BadgeAward.awarded_at < filters.end)
        .group_by(BadgeAward.badge)
    )
    if filters.plan is not None:
        query = query.join(User, User.id == BadgeAward.user_id).where(
            User.plan_id == filters.plan.id
        )
    counts = dict(db.session.execute(query).all())
    rows = [[b.name, b.description, b.tier, counts[b.key]] for b in BADGES if counts.get(b.key)]
    return Panel(
        key="badges",
        title="Badges awarded",
        description="How many members earned each badge in the period: first questions and "
        "answers, accepted answers, ideas planned and shipped, helpful flags, polls, events.",
        columns=["Badge", "Earned for", "Tier", "Members"],
        rows=rows,
        empty="No badge was awarded in this period.",
        notes=["The plan filter counts members on that plan; the product area does not apply."],
    )


register_panel("badges", badges_panel, "community")
