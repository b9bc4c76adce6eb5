"""The activity log: what happened, who did it and in which product area."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
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
