"""Quiz scores: per quiz, the cohort's attempts, learners, mean best score, pass rate and the
distribution of best scores.

Live, from attempts; kept up to date in learner_quiz and cohort_quiz_score (one row per quiz
and best score); rebuilt from the rows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Float, bindparam, case, cast, delete, func, select

from app.content import Quiz
from app.extensions import db
from app.models import Attempt, CohortQuizScore, LearnerQuiz
from app.services.catalogue import get_catalogue
from app.services.reporting.common import Deltas, ReportFilter, upsert
from app.services.reporting.item_stats import QuestionStats
from app.services.reporting.summing import count_true, for_cohorts, sum_per_cohort

LEARNER_QUIZ = LearnerQuiz.__table__
QUIZ_SCORE = CohortQuizScore.__table__


@dataclass
class QuizStats:
    quiz: Quiz
    attempts: int = 0
    learners: int = 0  # learners who attempted it
    mean_best_score: float | None = None  # 0–1
    pass_rate: float | None = None  # 0–1
    distribution: list[dict[str, Any]] = field(default_factory=list)  # best scores
    questions: list[QuestionStats] = field(default_factory=list)  # current versions
    older: list[QuestionStats] = field(default_factory=list)  # answers on older versions

    @property
    def pass_score(self) -> int | None:
        """The lowest whole score that passes (a pass is score × 100 ≥ pass mark × maximum)."""
        if not self.quiz.is_graded or self.quiz.pass_mark is None:
            return None
        return math.ceil(self.quiz.pass_mark * self.quiz.max_score / 100)


def stats_from(rows: Any) -> dict[str, QuizStats]:
    """Quiz figures from rows of (quiz id, best score, learners, attempts, sum of the learners'
    best score ratios, learners who passed)."""
    catalogue = get_catalogue()
    stats = {quiz_id: QuizStats(quiz) for quiz_id, quiz in catalogue.quizzes.items()}
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for quiz_id, best, learners, attempts, ratio_sum, passed in rows:
        entry = stats.get(quiz_id)
        if entry is None:  # a quiz no longer in the course
            continue
        entry.attempts += int(attempts or 0)
        entry.learners += int(learners)
        sums[quiz_id][0] += float(ratio_sum or 0)
        sums[quiz_id][1] += float(passed or 0)
        if entry.quiz.is_graded:
            entry.distribution.append({"score": int(best), "learners": int(learners)})
    for quiz_id, entry in stats.items():
        if not entry.quiz.is_graded:
            continue
        if entry.learners:
            entry.mean_best_score = sums[quiz_id][0] / entry.learners
            entry.pass_rate = sums[quiz_id][1] / entry.learners
        seen = {d["score"]: d["learners"] for d in entry.distribution}
        top = max([entry.quiz.max_score, *seen])
        entry.distribution = [
            {"score": s, "label": f"{s} / {entry.quiz.max_score}", "learners": seen.get(s, 0)}
            for s in range(top + 1)
        ]
    return stats


def _ratio() -> Any:
    return cast(Attempt.score, Float) / func.nullif(Attempt.max_score, 0)


def live_stats(f: ReportFilter) -> dict[str, QuizStats]:
    """Every quiz's figures over the attempts within the range (one query)."""
    per_learner = (
        select(
            Attempt.quiz_id,
            func.count(Attempt.id).label("n"),
            func.max(Attempt.score).label("best"),
            func.max(_ratio()).label("ratio"),
            func.max(case((Attempt.passed.is_(True), 1), else_=0)).label("passed"),
        )
        .where(*f.attempts())
        .group_by(Attempt.user_id, Attempt.quiz_id)
        .subquery()
    )
    # One row per (quiz, best score): the distribution, and summed up, every other figure.
    rows = db.session.execute(
        select(
            per_learner.c.quiz_id,
            per_learner.c.best,
            func.count(),
            func.sum(per_learner.c.n),
            func.sum(per_learner.c.ratio),
            func.sum(per_learner.c.passed),
        ).group_by(per_learner.c.quiz_id, per_learner.c.best)
    ).all()
    return stats_from(rows)


def summary_stats(cohort_id: int) -> dict[str, QuizStats]:
    """The open-range figures, from cohort_quiz_score (one query)."""
    q = QUIZ_SCORE.c
    rows = db.session.execute(
        select(q.quiz_id, q.best_score, q.learners, q.attempts, q.ratio_sum, q.passed).where(
            q.cohort_id == cohort_id, q.learners > 0
        )
    ).all()
    return stats_from(rows)


# ------------------------------------------------------------------------------ delta


@dataclass(frozen=True)
class QuizChange:
    """What one attempt changed in its learner's learner_quiz row: the (quiz id, best score) →
    (learners, attempts, best ratio, passed) amounts to move in each of their cohorts."""

    first: bool  # the learner's first attempt at this quiz
    newly_passed: bool  # the first attempt of this quiz they passed
    amounts: list[tuple[tuple, tuple]]


_FIRST_QUIZ_ROW = upsert(LEARNER_QUIZ, "DO NOTHING", '"user_id"')
_THIS_QUIZ = (LEARNER_QUIZ.c.user_id == bindparam("b_user")) & (
    LEARNER_QUIZ.c.quiz_id == bindparam("b_quiz")
)
_QUIZ_ROW = (
    select(
        LEARNER_QUIZ.c.attempts,
        LEARNER_QUIZ.c.best_score,
        LEARNER_QUIZ.c.best_ratio,
        LEARNER_QUIZ.c.passed,
    )
    .where(_THIS_QUIZ)
    .with_for_update()
)
_QUIZ_ROW_UPDATE = LEARNER_QUIZ.update().where(_THIS_QUIZ)  # SET: the columns given


def count_learner_attempt(attempt: Attempt) -> QuizChange:
    """Count a stored attempt in its learner's learner_quiz row."""
    user_id, quiz_id, score = attempt.user_id, attempt.quiz_id, attempt.score
    ratio = score / attempt.max_score if attempt.max_score else 0.0
    passed = attempt.passed is True
    first_row = {
        "user_id": user_id,
        "quiz_id": quiz_id,
        "attempts": 1,
        "best_score": score,
        "best_ratio": ratio,
        "passed": passed,
        "first_attempt_id": attempt.id,
    }
    if db.session.execute(_FIRST_QUIZ_ROW, first_row).first() is not None:
        return QuizChange(True, passed, [((quiz_id, score), (1, 1, ratio, int(passed)))])
    mine = {"b_user": user_id, "b_quiz": quiz_id}
    old = db.session.execute(_QUIZ_ROW, mine).one()
    new = (old.attempts + 1, max(old.best_score, score), max(old.best_ratio, ratio))
    now_passed = old.passed or passed
    db.session.execute(
        _QUIZ_ROW_UPDATE,
        {
            **mine,
            "attempts": new[0],
            "best_score": new[1],
            "best_ratio": new[2],
            "passed": now_passed,
        },
    )
    gone = (-1, -old.attempts, -old.best_ratio, -int(old.passed))
    came = (1, new[0], new[2], int(now_passed))
    amounts = [((quiz_id, old.best_score), gone), ((quiz_id, new[1]), came)]
    return QuizChange(False, passed and not old.passed, amounts)


def cohort_deltas(cohorts: list[int], change: QuizChange) -> Deltas:
    """cohort_quiz_score amounts for one attempt, in each of its learner's cohorts."""
    return for_cohorts(cohorts, change.amounts)


def moved(cohort_ids: list[int], user_ids: list[int], sign: int) -> Deltas:
    """cohort_quiz_score amounts for learners joining (sign 1) or leaving (-1) the cohorts."""
    rows = db.session.execute(
        select(
            LearnerQuiz.quiz_id,
            LearnerQuiz.best_score,
            LearnerQuiz.attempts,
            LearnerQuiz.best_ratio,
            LearnerQuiz.passed,
        ).where(LearnerQuiz.user_id.in_(user_ids))
    )
    return for_cohorts(
        cohort_ids,
        (((q, best), (1, n, ratio, int(passed))) for q, best, n, ratio, passed in rows),
        sign,
    )


# ------------------------------------------------------------------------------ rebuild


def rebuild(connection: Connection) -> None:
    """Fill learner_quiz from attempts, then cohort_quiz_score from it."""
    connection.execute(delete(QUIZ_SCORE))
    connection.execute(delete(LEARNER_QUIZ))
    connection.execute(
        LEARNER_QUIZ.insert().from_select(
            [c.name for c in LEARNER_QUIZ.columns],
            select(
                Attempt.user_id,
                Attempt.quiz_id,
                func.count(Attempt.id),
                func.max(Attempt.score),
                func.coalesce(func.max(_ratio()), 0.0),
                func.max(case((Attempt.passed.is_(True), 1), else_=0)) == 1,
                func.min(Attempt.id),
            )
            .where(Attempt.user_id.is_not(None))
            .group_by(Attempt.user_id, Attempt.quiz_id),
        )
    )
    c = LEARNER_QUIZ.c
    sum_per_cohort(
        connection,
        QUIZ_SCORE,
        LEARNER_QUIZ,
        ["quiz_id", "best_score"],
        [func.count(), func.sum(c.attempts), func.sum(c.best_ratio), count_true(c.passed)],
    )
