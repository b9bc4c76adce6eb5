from datetime import date

from sqlalchemy import ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class ActivityDay(db.Model):
    """Daily rollup of the activity log: events per day, kind, product area and the plan the
    actor was on when they acted (0 for none). The dashboard counts from here at any scale.

    Written only by a database trigger on activity_events (portal/insights/rollups.py), so
    every insert, whatever makes it (services, bulk generation, imports), is counted once."""

    __tablename__ = "activity_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    product_area_id: Mapped[int] = mapped_column(primary_key=True)  # 0: no product area
    plan_id: Mapped[int] = mapped_column(primary_key=True)  # 0: no plan (or no actor)
    events: Mapped[int]


class IdeaDemand(db.Model):
    """Live votes per idea and the voter's current plan (0 for none): the demand score's
    voter side without reading every vote. Kept by database triggers on idea_votes (cast,
    removed, moved by a merge) and users (plan changed, account deleted)."""

    __tablename__ = "idea_demand"

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    plan_id: Mapped[int] = mapped_column(primary_key=True)  # 0: no plan
    voters: Mapped[int]


@event.listens_for(db.metadata, "after_create")
def _install_rollup_triggers(target, connection, **kw) -> None:
    """`create_all` (tests, fresh development databases) gets the same triggers as migrations."""
    from portal.insights.rollups import install_answer_time_triggers, install_triggers

    install_triggers(connection)
    install_answer_time_triggers(connection)
