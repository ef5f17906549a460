"""The text of each question version the app has served, kept so that a later edit can be
described against it (stored answers carry only the version's fingerprint)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.user import utcnow


class QuestionVersion(db.Model):
    """One version of one question, stored once, the first time the app served it.

    `options` is [{"id", "text", "correct"}] in the order written; `key` the right option ids as
    the question's kind reads them (for an ordering question, the right order).
    """

    __table_args__ = (UniqueConstraint("quiz_id", "question_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    prompt: Mapped[str] = mapped_column(Text)
    scoring: Mapped[str] = mapped_column(String(16))
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    key: Mapped[list[str]] = mapped_column(JSON)
    content_version: Mapped[str] = mapped_column(String(40))  # the course's, when first seen
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
