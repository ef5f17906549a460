"""How a quiz is shown to one learner: the order of its options in each attempt, and whether
the right answers of an attempt may be shown yet (the quiz's review policy)."""

from __future__ import annotations

import hashlib
import random

from sqlalchemy import bindparam, case, func, select

from app.content import Quiz
from app.extensions import db
from app.models import Attempt


def attempts_made(user_id: int, quiz_id: str) -> int:
    """How many attempts the learner has submitted at this quiz."""
    return (
        db.session.scalar(
            select(func.count()).where(Attempt.user_id == user_id, Attempt.quiz_id == quiz_id)
        )
        or 0
    )


def option_order(user_id: int, quiz: Quiz, attempt_number: int) -> dict[str, list[str]]:
    """Each question's option ids in the order this learner sees them in their attempt number
    `attempt_number` (1 for the first). The same arguments always give the same order, so a
    reload shows what was shown before; each question has its own seed, so that editing one
    question does not reorder the others."""
    orders = {}
    for question in quiz.questions:
        seed = f"{user_id}:{quiz.id}:{attempt_number}:{question.id}"
        rng = random.Random(hashlib.sha256(seed.encode()).digest())  # noqa: S311 - presentation only
        orders[question.id] = question.question_kind.shown_order(question, rng)
    return orders


# Built once; a submission reads it within reporting.hooks.attempt_coming's statement.
_ATTEMPTS = Attempt.__table__.c
ATTEMPTS_AND_PASSES = select(
    func.count().label("made"),
    func.coalesce(func.sum(case((_ATTEMPTS.passed.is_(True), 1), else_=0)), 0).label("passes"),
).where(_ATTEMPTS.user_id == bindparam("user_id"), _ATTEMPTS.quiz_id == bindparam("quiz_id"))


def attempts_and_passes(user_id: int, quiz_id: str) -> tuple[int, int]:
    """How many attempts the learner has submitted at this quiz, and how many of them passed
    (one statement)."""
    made, passes = db.session.execute(
        ATTEMPTS_AND_PASSES, {"user_id": user_id, "quiz_id": quiz_id}
    ).one()
    return made, passes


def review_allowed(user_id: int | None, quiz: Quiz) -> bool:
    """Whether the learner may now see the right answers (and the explanations that give them
    away) of every attempt at this quiz, under its `review` policy."""
    if quiz.review_policy == "always" or user_id is None:
        return quiz.review_policy == "always"
    made, passes = attempts_and_passes(user_id, quiz.id)
    return review_allowed_after(quiz, made, passes > 0)


def review_allowed_after(quiz: Quiz, attempts: int, passed: bool) -> bool:
    """The quiz's `review` policy for a learner who has made this many attempts at it, one of
    which passed (or none)."""
    policy = quiz.review_policy
    if policy == "always":
        return True
    if policy == "after_pass":
        return passed
    return attempts >= int(policy)
