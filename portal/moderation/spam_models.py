"""The spam filter's tables: what it has seen, what moderators decided, and what it learnt."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import utcnow
from portal.extensions import db


class SpamFingerprint(db.Model):
    """One scored post: who posted what kind of post when, and a hash of its normalised text,
    so repeated text and posting speed are counted here without reading any feature's tables."""

    __tablename__ = "spam_fingerprints"
    __table_args__ = (
        Index("ix_spam_fingerprints_text_hash_created_at", "text_hash", "created_at"),
        Index("ix_spam_fingerprints_author_id_created_at", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    post_id: Mapped[int]
    text_hash: Mapped[str] = mapped_column(String(64))
    score: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SpamExample(db.Model):
    """A labelled text for training: a moderator's decision, or a post approved as it was."""

    __tablename__ = "spam_examples"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    is_spam: Mapped[bool]
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SpamModel(db.Model):
    """One training's classifier as plain arrays (no pickle): the hashing vectorizers'
    parameters as JSON and the linear model's non-zero weights as an `.npz` of two arrays,
    `indices` (int32) and `weights` (float32). The newest row is the one used."""

    __tablename__ = "spam_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    vectorizer: Mapped[dict] = mapped_column(JSON)
    weights: Mapped[bytes] = mapped_column(LargeBinary)
    intercept: Mapped[float]
    # What it was trained on and how it scored when cross-validated (shown by the command).
    report: Mapped[dict] = mapped_column(JSON)
