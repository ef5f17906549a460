from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.user import utcnow


class LessonRead(db.Model):
    """A learner has opened a lesson (once per learner and lesson)."""

    __table_args__ = (UniqueConstraint("user_id", "module_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    module_id: Mapped[str] = mapped_column(String(64))
    lesson_id: Mapped[str] = mapped_column(String(64))
    first_read_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Attempt(db.Model):
    """One submitted quiz, with the content version it answered and its result."""

    __table_args__ = (
        UniqueConstraint("user_id", "idempotency_key"),
        Index("ix_attempt_user_quiz", "user_id", "quiz_id"),
        Index("ix_attempt_quiz_submitted", "quiz_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    quiz_id: Mapped[str] = mapped_column(String(64))
    quiz_version: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)  # fractional with partial credit
    max_score: Mapped[int]
    passed: Mapped[bool | None]  # None for a self-assessment
    profile: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    started_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The same key from the same user means the same submission (double click, retry).
    idempotency_key: Mapped[str | None] = mapped_column(String(100))  # "api:" + up to 80
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))
    # {question id: [option ids in the order shown]}; None for attempts stored before shuffling
    # (they were shown in each kind's default order).
    option_order: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)
    # The attempt whose missed questions this one retook (the right answers were kept).
    retake_of_id: Mapped[int | None]

    @property
    def is_retake(self) -> bool:
        return self.retake_of_id is not None

    answers: Mapped[list[Answer]] = relationship(
        back_populates="attempt",
        order_by="Answer.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


def earned_credit(correct: bool | None, credit: float | None) -> float:
    """The share of the point a marked answer earned: its credit, or for a row stored before
    partial credit (credit None), 1 when right and 0 when not."""
    return float(credit) if credit is not None else float(bool(correct))


class Answer(db.Model):
    """One question of an attempt: what was chosen, against which version of the question."""

    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(64))
    question_version: Mapped[str] = mapped_column(String(16))
    position: Mapped[int]
    selected: Mapped[list[str]] = mapped_column(JSON)
    correct: Mapped[bool | None]  # None for a profile question
    # The share of the point earned, 0 to 1; None for a profile question, and for rows stored
    # before partial credit (read as 1 when correct, else 0: see `earned`).
    credit: Mapped[float | None] = mapped_column(Float)

    @property
    def earned(self) -> float | None:
        return None if self.correct is None else earned_credit(self.correct, self.credit)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")
