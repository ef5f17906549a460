"""Quiz scores: per quiz, the cohort's attempts, learners, mean best score, pass rate and the
distribution of best scores.

Live, from attempts; kept up to date in learner_quiz and cohort_quiz_score (one row per quiz
and best score); rebuilt from the rows.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection, Float, bindparam, case, cast, delete, func, select, text

from app.content import Quiz
from app.extensions import db
from app.models import Attempt, CohortQuizScore, LearnerQuiz
from app.services.catalogue import get_catalogue
from app.services.reporting.common import Deltas, ReportFilter, score_text, upsert
from app.services.reporting.item_stats import QuestionStats
from app.services.reporting.summing import count_true, for_cohorts, sum_per_cohort

LEARNER_QUIZ = LearnerQuiz.__table__
QUIZ_SCORE = CohortQuizScore.__table__
# Stored scores are floats: 23/3 is 7.666…67. A score within this of a column's lowest score
# belongs to that column.
SCORE_TOLERANCE = 1e-9


@dataclass
class QuizStats:
    quiz: Quiz
    attempts: int = 0
    learners: int = 0  # learners who attempted it
    mean_best_score: float | None = None  # 0–1
    pass_rate: float | None = None  # 0–1
    distribution: list[dict[str, Any]] = field(default_factory=list)  # see score_distribution
    questions: list[QuestionStats] = field(default_factory=list)  # current versions
    older: list[QuestionStats] = field(default_factory=list)  # answers on older versions

    @property
    def fractional(self) -> bool:
        """Whether the distribution counts ranges of scores (partial credit gives fractions)."""
        return any(d["below"] is not None for d in self.distribution)

    @property
    def pass_marker(self) -> tuple[int, str] | None:
        """Where the chart draws the pass mark: before the first column that passes, with its
        words (the lowest passing score, out of the maximum)."""
        first = next((i for i, d in enumerate(self.distribution) if d["passes"]), None)
        if first is None:
            return None
        lowest = score_text(self.distribution[first]["score"])
        return first, f"pass mark ({lowest} / {self.quiz.max_score})"


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def pass_threshold(quiz: Quiz) -> Fraction | None:
    """The lowest score that passes (a pass is score × 100 ≥ pass mark × maximum), exactly."""
    if not quiz.is_graded or quiz.pass_mark is None:
        return None
    return Fraction(quiz.pass_mark * quiz.max_score, 100)


def score_distribution(quiz: Quiz, seen: dict[float, int]) -> list[dict[str, Any]]:
    """Learners per best score, from {best score: learners}. Whole scores get a column each
    ("3 / 5"). A quiz whose scores can hold fractions (partial credit) gets a column per range
    of one point, from a whole score to under the next ("7 to under 8"), full marks alone, and
    the range holding the pass mark split at it, so that every column passes or fails whole.

    Each column: score (its lowest), below (the score it stops under; None for one score),
    label, tick (its lowest, written), learners, passes (None for a quiz without a pass
    mark)."""
    threshold = pass_threshold(quiz)
    fractional = any(q.scoring == "partial" for q in quiz.questions) or any(
        not float(best).is_integer() for best in seen
    )
    top = max([quiz.max_score, *(math.ceil(best - SCORE_TOLERANCE) for best in seen)])
    lows: list[Fraction] = [Fraction(s) for s in range(top + 1)]
    if fractional and threshold is not None and threshold.denominator != 1 and threshold < top:
        lows = sorted({*lows, threshold})
    counts = [0] * len(lows)
    for best, learners in seen.items():
        index = bisect_right(lows, Fraction(best + SCORE_TOLERANCE)) - 1
        counts[max(index, 0)] += learners
    columns = []
    for i, low in enumerate(lows):
        below = lows[i + 1] if fractional and i + 1 < len(lows) else None
        if below is not None:
            label = f"{score_text(low)} to under {score_text(below)}"
        else:
            label = f"{score_text(low)} / {quiz.max_score}"
        columns.append(
            {
                "score": _number(low),
                "below": None if below is None else _number(below),
                "label": label,
                "tick": score_text(low),  # under the chart's axis
                "learners": counts[i],
                "passes": None if threshold is None else low >= threshold,
            }
        )
    return columns


def stats_from(rows: Any) -> dict[str, QuizStats]:
    """Quiz figures from rows of (quiz id, best score, learners, attempts, sum of the learners'
    best score ratios, learners who passed)."""
    catalogue = get_catalogue()
    stats = {quiz_id: QuizStats(quiz) for quiz_id, quiz in catalogue.quizzes.items()}
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    bests: dict[str, dict[float, int]] = defaultdict(lambda: defaultdict(int))
    for quiz_id, best, learners, attempts, ratio_sum, passed in rows:
        entry = stats.get(quiz_id)
        if entry is None:  # a quiz no longer in the course
            continue
        entry.attempts += int(attempts or 0)
        entry.learners += int(learners)
        sums[quiz_id][0] += float(ratio_sum or 0)
        sums[quiz_id][1] += float(passed or 0)
        if entry.quiz.is_graded:
            bests[quiz_id][float(best)] += int(learners)
    for quiz_id, entry in stats.items():
        if not entry.quiz.is_graded:
            continue
        if entry.learners:
            entry.mean_best_score = sums[quiz_id][0] / entry.learners
            entry.pass_rate = sums[quiz_id][1] / entry.learners
        entry.distribution = score_distribution(entry.quiz, bests[quiz_id])
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
    # The row's new values, parameters of ROW_UPDATE, for the caller to write; None when the
    # attempt made the row.
    update: dict[str, Any] | None = None


_FIRST_QUIZ_ROW = upsert(LEARNER_QUIZ, "DO NOTHING", '"user_id"')
_THIS_QUIZ = (LEARNER_QUIZ.c.user_id == bindparam("b_user")) & (
    LEARNER_QUIZ.c.quiz_id == bindparam("b_quiz")
)
# The learner's learner_quiz row for the quiz (parameters "b_user", "b_quiz"): attempts,
# best_score, best_ratio, passed; locked until the transaction ends (FOR UPDATE on PostgreSQL;
# on SQLite the transaction holds the write lock already). hooks.attempt_coming reads it.
LEARNER_QUIZ_ROW = (
    select(
        LEARNER_QUIZ.c.attempts,
        LEARNER_QUIZ.c.best_score,
        LEARNER_QUIZ.c.best_ratio,
        LEARNER_QUIZ.c.passed,
    )
    .where(_THIS_QUIZ)
    .with_for_update()
)
# SQL text, which hooks.attempt_stored runs within the learner_week upsert on PostgreSQL.
ROW_UPDATE_SQL = (
    'UPDATE "learner_quiz" SET "attempts" = :q_attempts, "best_score" = :q_best_score, '
    '"best_ratio" = :q_best_ratio, "passed" = :q_passed '
    'WHERE "user_id" = :b_user AND "quiz_id" = :b_quiz'
)
ROW_UPDATE = text(ROW_UPDATE_SQL)


def count_learner_attempt(attempt: Attempt, old: Any) -> QuizChange:
    """Count a stored attempt in its learner's learner_quiz row, `old` the row (LEARNER_QUIZ_ROW)
    as it was, locked, before the attempt was stored; None before the first attempt. A first
    attempt's row is inserted here; an existing row's update is left to the caller."""
    user_id, quiz_id, score = attempt.user_id, attempt.quiz_id, attempt.score
    ratio = score / attempt.max_score if attempt.max_score else 0.0
    passed = attempt.passed is True
    mine = {"b_user": user_id, "b_quiz": quiz_id}
    if old is None:
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
        # A first attempt of the same learner stored meanwhile (PostgreSQL only: SQLite's
        # write lock keeps them apart) made the row: count this one in it.
        old = db.session.execute(LEARNER_QUIZ_ROW, mine).one()
    new = (old.attempts + 1, max(old.best_score, score), max(old.best_ratio, ratio))
    now_passed = old.passed or passed
    update = {
        **mine,
        "q_attempts": new[0],
        "q_best_score": new[1],
        "q_best_ratio": new[2],
        "q_passed": now_passed,
    }
    gone = (-1, -old.attempts, -old.best_ratio, -int(old.passed))
    came = (1, new[0], new[2], int(now_passed))
    amounts = [((quiz_id, old.best_score), gone), ((quiz_id, new[1]), came)]
    return QuizChange(False, passed and not old.passed, amounts, update)


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
