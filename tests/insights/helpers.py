"""Checks shared by the rollup tests and the demo generator's tests."""

from sqlalchemy import select

from portal.extensions import db
from portal.insights import rollups
from portal.insights.models import ActivityDay, IdeaDemand


def rollup_rows() -> dict:
    days = db.session.execute(
        select(ActivityDay.day, ActivityDay.kind, ActivityDay.product_area_id, ActivityDay.plan_id,
               ActivityDay.events).where(ActivityDay.events != 0)
    ).all()  # fmt: skip
    demand = db.session.execute(
        select(IdeaDemand.idea_id, IdeaDemand.plan_id, IdeaDemand.voters).where(
            IdeaDemand.voters != 0
        )
    ).all()
    return {"days": sorted(map(tuple, days)), "demand": sorted(map(tuple, demand))}


def assert_matches_a_recount(*, days: bool = True) -> None:
    """A recount gives the same rollups (activity days only while nobody changed plan: they
    keep the plan at the time, a recount can only know today's)."""
    kept = rollup_rows()
    rollups.rebuild(db.session.connection())
    recounted = rollup_rows()
    db.session.rollback()
    assert kept["demand"] == recounted["demand"]
    if days:
        assert kept["days"] == recounted["days"]
