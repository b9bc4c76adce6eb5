"""Ideas, their votes, followers, comments and status history."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.clock import utcnow
from portal.extensions import db
from portal.moderation.models import Reviewable
from portal.taxonomy.models import ProductArea


class IdeaStatus(StrEnum):
    NEW = "new"
    UNDER_REVIEW = "under_review"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    SHIPPED = "shipped"
    DECLINED = "declined"
    MERGED = "merged"  # set only by merging

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def pill_class(self) -> str:
        """The status pill's CSS class in portal.css (`pill--planned`...)."""
        return f"pill--{self.value}"

    @property
    def takes_votes(self) -> bool:
        return self in OPEN_STATUSES

    @classmethod
    def settable(cls) -> list["IdeaStatus"]:
        """Statuses the product team can choose; Merged comes only from merging."""
        return [status for status in cls if status is not cls.MERGED]


_LABELS = {
    IdeaStatus.NEW: "New",
    IdeaStatus.UNDER_REVIEW: "Under review",
    IdeaStatus.PLANNED: "Planned",
    IdeaStatus.IN_PROGRESS: "In progress",
    IdeaStatus.SHIPPED: "Shipped",
    IdeaStatus.DECLINED: "Declined",
    IdeaStatus.MERGED: "Merged",
}
OPEN_STATUSES = frozenset(
    {IdeaStatus.NEW, IdeaStatus.UNDER_REVIEW, IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS}
)
STATUS_NAME_MAX = 40
# The colours a status may have: each has a pill class in portal.css, legible in both themes.
STATUS_COLOURS = {
    "grey": "Grey",
    "amber": "Amber",
    "blue": "Blue",
    "purple": "Purple",
    "green": "Green",
    "red": "Red",
    "teal": "Teal",
    "pink": "Pink",
    "orange": "Orange",
}
DEFAULT_COLOURS = {
    IdeaStatus.NEW: "grey",
    IdeaStatus.UNDER_REVIEW: "amber",
    IdeaStatus.PLANNED: "blue",
    IdeaStatus.IN_PROGRESS: "purple",
    IdeaStatus.SHIPPED: "green",
    IdeaStatus.DECLINED: "red",
}


class IdeaStatusOption(db.Model):
    """A status the team can give an idea, as people see it: a name and a colour within one
    of the fixed kinds (`IdeaStatus`), which decide what the status does (votes, roadmap).
    Each kind has a default option, made with the table, that may be renamed but not removed;
    an idea whose `status_option_id` is NULL shows its kind's default."""

    __tablename__ = "idea_status_options"
    # Rows every database starts with (portal.database.empty_all_tables).
    __table_args__ = {"info": {"seed": lambda: default_status_rows()}}

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the API and the board's filter call it: the kind for a default, else made from
    # the first name; it stays when the status is renamed, so links and clients keep working.
    value: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[IdeaStatus] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(40))
    colour: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    is_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def default_status_rows() -> list[dict]:
    return [
        {
            "value": status.value,
            "kind": status.value,
            "name": status.label,
            "colour": DEFAULT_COLOURS[status],
            "position": 0,
            "is_default": True,
            "created_at": utcnow(),
        }
        for status in IdeaStatus.settable()
    ]


class Idea(Reviewable, db.Model):
    __tablename__ = "ideas"
    __table_args__ = (
        # Covers the board's Top order (votes shown = counted + imported), so it sorts the
        # index instead of the table.
        Index(
            "ix_ideas_status_votes",
            "status",
            "vote_count",
            "imported_votes",
            "created_at",
            "id",
        ),
        Index("ix_ideas_status_changed_at", "status", "status_changed_at"),
        # The Top order across the open statuses: walked from the top, no sort.
        Index("ix_ideas_total_votes", text("(vote_count + imported_votes)"), "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown as typed
    body_html: Mapped[str] = mapped_column(Text, default="")  # sanitized, rendered on write
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    product_area_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_areas.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[IdeaStatus] = mapped_column(String(20), default=IdeaStatus.NEW)
    # A status of the kind `status` other than the kind's default; NULL: the default.
    status_option_id: Mapped[int | None] = mapped_column(
        ForeignKey("idea_status_options.id", ondelete="SET NULL"), index=True
    )
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Counters change in SQL in the voter's transaction; imported_votes keeps scores brought in
    # from elsewhere (Stack Exchange), whose voters are unknown. Shown: imported + counted.
    vote_count: Mapped[int] = mapped_column(default=0)
    imported_votes: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    product_area: Mapped[ProductArea | None] = relationship()
    merged_into: Mapped["Idea | None"] = relationship(remote_side=[id])

    @property
    def status_enum(self) -> IdeaStatus:
        return IdeaStatus(self.status)

    @property
    def votes(self) -> int:
        return self.vote_count + self.imported_votes

    @property
    def is_merged(self) -> bool:
        return self.status == IdeaStatus.MERGED

    @property
    def takes_votes(self) -> bool:
        return self.status_enum.takes_votes

    def __repr__(self) -> str:
        return f"<Idea {self.id} {self.status}>"


class IdeaVote(db.Model):
    """One person's vote; `added_by_id` is the team member who added it on their behalf."""

    __tablename__ = "idea_votes"
    __table_args__ = (
        UniqueConstraint("user_id", "idea_id"),
        # An idea's recent votes (trending); insights read a period's votes idea by idea.
        Index("ix_idea_votes_idea_created_voter", "idea_id", "created_at", "user_id"),
        # Recent votes; insights read votes in a period by idea and voter from the index alone.
        Index("ix_idea_votes_created_at_voter", "created_at", "idea_id", "user_id"),
        # Votes voter by voter, in time: insights read a period's votes grouped by voter.
        Index("ix_idea_votes_voter_created", "user_id", "created_at", "idea_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])


class IdeaFollower(db.Model):
    __tablename__ = "idea_followers"

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaComment(Reviewable, db.Model):
    __tablename__ = "idea_comments"
    __table_args__ = (Index("ix_idea_comments_idea_id_created_at", "idea_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # The product team's official response; at most one per idea (the service moves it).
    is_official: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()
    idea: Mapped[Idea] = relationship()


class IdeaStatusChange(db.Model):
    """Status history: who moved the idea, from what, to what, with the public note."""

    __tablename__ = "idea_status_changes"
    __table_args__ = (Index("ix_idea_status_changes_idea_id_created_at", "idea_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[IdeaStatus | None] = mapped_column(String(20))
    to_status: Mapped[IdeaStatus] = mapped_column(String(20))
    # The statuses within those kinds, shown by their names today (NULL: the kind's default).
    from_option_id: Mapped[int | None] = mapped_column(
        ForeignKey("idea_status_options.id", ondelete="SET NULL")
    )
    to_option_id: Mapped[int | None] = mapped_column(
        ForeignKey("idea_status_options.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()

    @property
    def to_enum(self) -> IdeaStatus:
        return IdeaStatus(self.to_status)

    @property
    def from_enum(self) -> IdeaStatus | None:
        return IdeaStatus(self.from_status) if self.from_status else None


class IdeaQuestion(db.Model):
    """A support question tied to an idea: the idea lists it, the question shows the idea and
    its status. `converted` marks the question the idea was made from (the question is closed)."""

    __tablename__ = "idea_questions"

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    converted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
