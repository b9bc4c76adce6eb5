from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import utcnow
from portal.extensions import db


class ActivityEvent(db.Model):
    """Append-only log of what happened, who did it and in which product area."""

    __tablename__ = "activity_events"
    __table_args__ = (
        Index("ix_activity_events_kind_created_at", "kind", "created_at"),
        Index("ix_activity_events_area_created_at", "product_area_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    product_area_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_areas.id", ondelete="SET NULL")
    )
    subject_type: Mapped[str | None] = mapped_column(String(20))
    subject_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    data: Mapped[dict | None] = mapped_column(JSON)


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
