"""What an admin decided about answers given to an older version of a changed question."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.user import utcnow

DECISIONS = ("rescore", "keep", "void")


class ContentDecision(db.Model):
    """One decision on one question: `rescore` re-grades older answers with today's key, `keep`
    leaves them as they were scored, `void` takes the question out of those attempts' scores.

    `changes` holds every value the decision overwrote, so that reverting it is exact:
    {"answers": [[answer id, correct before, credit before]],
     "attempts": [[attempt id, score, max, passed]]} (decisions taken before partial credit
    recorded no credit).
    """

    __table_args__ = (Index("ix_content_decision_question", "quiz_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(16))
    # The version answers are now judged against (empty when the question was removed), and
    # the course's content version when the decision was taken.
    question_version: Mapped[str] = mapped_column(String(16))
    content_version: Mapped[str] = mapped_column(String(40))
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    decided_via: Mapped[str] = mapped_column(String(120))  # "admin page", "command line"
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    forced: Mapped[bool] = mapped_column(default=False)
    answers: Mapped[int] = mapped_column(default=0)  # answers to older versions it covered
    attempts_changed: Mapped[int] = mapped_column(default=0)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reverted_at: Mapped[datetime | None]
    reverted_via: Mapped[str | None] = mapped_column(String(120))
