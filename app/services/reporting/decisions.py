"""The reports' footnotes on changed questions: each decision in force on answers given to an
older version (rescored, kept or voided), who took it, when, and against which content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import ContentDecision, User

SAYS = {
    "rescore": "answers to older versions were re-graded with today's key",
    "keep": "answers to older versions keep the score they were given",
    "void": "the question no longer counts in the scores of attempts on older versions",
}


@dataclass(frozen=True)
class DecisionNote:
    quiz_id: str
    question_id: str
    decision: str
    says: str
    by: str
    at: datetime
    content_version: str
    answers: int
    attempts_changed: int
    question_version: str = ""  # the version answers are judged against; "" when removed
    forced: bool = False  # taken although it turned passes into fails
    reverted_at: datetime | None = None
    reverted_via: str | None = None

    @property
    def question(self) -> str:
        return f"{self.quiz_id}/{self.question_id}"


def decision_notes(with_reverted: bool = False) -> list[DecisionNote]:
    """The decisions in force (and, `with_reverted`, those reverted too), oldest first (one
    query)."""
    query = select(ContentDecision, User.name).outerjoin(
        User, User.id == ContentDecision.decided_by_id
    )
    if not with_reverted:
        query = query.where(ContentDecision.reverted_at.is_(None))
    rows = db.session.execute(query.order_by(ContentDecision.decided_at, ContentDecision.id)).all()
    return [
        DecisionNote(
            d.quiz_id,
            d.question_id,
            d.decision,
            SAYS[d.decision],
            name or d.decided_via,
            d.decided_at,
            d.content_version,
            d.answers,
            d.attempts_changed,
            d.question_version,
            d.forced,
            d.reverted_at,
            d.reverted_via,
        )
        for d, name in rows
    ]


def decisions_version() -> tuple[Any, Any]:
    """Scalar subqueries that change whenever a decision is taken or reverted (part of the
    report cache's key: a decision changes scores without adding a row anywhere else)."""
    return (
        select(func.count(ContentDecision.id)).scalar_subquery(),
        select(func.count(ContentDecision.reverted_at)).scalar_subquery(),
    )
