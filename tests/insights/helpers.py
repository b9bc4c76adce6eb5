"""Checks shared by the rollup tests and the demo generator's tests."""

from sqlalchemy import select

from portal.extensions import db
from portal.insights import rollups
from portal.insights.models import ActivityDay, IdeaDemand
from portal.support.models import Question


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
    answer_times = db.session.execute(
        select(Question.id, Question.first_answer_at, Question.solved_at).order_by(Question.id)
    ).all()
    return {
        "days": sorted(map(tuple, days)),
        "demand": sorted(map(tuple, demand)),
        "answer_times": list(map(tuple, answer_times)),
    }


def assert_matches_a_recount(*, days: bool = True) -> None:
    """A recount gives the same rollups (activity days only while nobody changed plan: they
    keep the plan at the time, a recount can only know today's)."""
    kept = rollup_rows()
    rollups.rebuild(db.session.connection())
    recounted = rollup_rows()
    db.session.rollback()
    assert kept["demand"] == recounted["demand"]
    assert kept["answer_times"] == recounted["answer_times"]
    if days:
        assert kept["days"] == recounted["days"]
