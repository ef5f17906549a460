"""Summary tables: totals kept up to date as learners work, so that a cohort report reads a few
rows per quiz, question and week instead of every attempt and answer.

Per learner (`learner_*`): what the learner did, whatever cohort they are in. Per cohort
(`cohort_*`): the sum of its current learners' rows; a learner joining or leaving adds or
subtracts theirs. app/services/reporting/hooks.py keeps them in step and can rebuild them.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

# learner_progress and cohort_progress use this module id for the whole course: started means
# started any module, completed means completed every module.
COURSE = ""


def _user() -> Mapped[int]:
    return mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)


def _cohort() -> Mapped[int]:
    return mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True)


class LearnerQuiz(db.Model):
    """A learner's results in one quiz: attempts, best score and ratio, passed, first attempt."""

    user_id: Mapped[int] = _user()
    quiz_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int]
    best_score: Mapped[float] = mapped_column(Float)
    best_ratio: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool]
    first_attempt_id: Mapped[int]


class LearnerWeek(db.Model):
    """Lessons a learner first opened and quizzes they submitted in one week (from Monday)."""

    user_id: Mapped[int] = _user()
    week: Mapped[date] = mapped_column(primary_key=True)
    lessons: Mapped[int]
    attempts: Mapped[int]


class LearnerProgress(db.Model):
    """A module the learner started or completed (COURSE: any module, every module)."""

    user_id: Mapped[int] = _user()
    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started: Mapped[bool]
    completed: Mapped[bool]


class LearnerConcept(db.Model):
    """A learner's answers on one concept before the lessons (their first attempt at a pre-test,
    taken before their first attempt at its quiz) and after (that first attempt at the quiz):
    right and answered, summed over every such pair of quizzes checking the concept."""

    user_id: Mapped[int] = _user()
    concept_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    pre_right: Mapped[int]
    pre_answered: Mapped[int]
    post_right: Mapped[int]
    post_answered: Mapped[int]


class CohortQuizScore(db.Model):
    """The cohort's learners whose best score in a quiz is `best_score`, and their totals."""

    cohort_id: Mapped[int] = _cohort()
    quiz_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    best_score: Mapped[float] = mapped_column(Float, primary_key=True)
    learners: Mapped[int]
    attempts: Mapped[int]
    ratio_sum: Mapped[float] = mapped_column(Float)
    passed: Mapped[int]


class CohortWeek(db.Model):
    """The cohort's activity in one week: learners active, lessons opened, quizzes submitted."""

    cohort_id: Mapped[int] = _cohort()
    week: Mapped[date] = mapped_column(primary_key=True)
    active: Mapped[int]
    lessons: Mapped[int]
    attempts: Mapped[int]


class CohortProgress(db.Model):
    """How many of the cohort's learners started and completed a module (COURSE: see above)."""

    cohort_id: Mapped[int] = _cohort()
    module_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started: Mapped[int]
    completed: Mapped[int]


class CohortQuestion(db.Model):
    """Item analysis of one question version over the learners' first attempts: how many
    answered and were right, and the sums the discrimination needs (x: this question's score,
    y: the rest of the attempt's score)."""

    cohort_id: Mapped[int] = _cohort()
    quiz_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_version: Mapped[str] = mapped_column(String(16), primary_key=True)
    answered: Mapped[int]
    correct: Mapped[int]
    sum_x: Mapped[int]
    sum_y: Mapped[float] = mapped_column(Float)  # scores may be fractional (partial credit)
    sum_xy: Mapped[float] = mapped_column(Float)
    sum_xx: Mapped[int]
    sum_yy: Mapped[float] = mapped_column(Float)


class CohortOption(db.Model):
    """How often an option was chosen in first attempts, and, for ordering questions, put in
    its right place."""

    cohort_id: Mapped[int] = _cohort()
    quiz_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_version: Mapped[str] = mapped_column(String(16), primary_key=True)
    option_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    chosen: Mapped[int]
    in_place: Mapped[int]


class CohortConcept(db.Model):
    """Per concept, the cohort's learners with answers both before and after, and the sums of
    their shares right (percent) before and after: the learning gain's figures."""

    cohort_id: Mapped[int] = _cohort()
    concept_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    learners: Mapped[int]
    pre_share_sum: Mapped[float] = mapped_column(Float)
    post_share_sum: Mapped[float] = mapped_column(Float)


class SummaryState(db.Model):
    """Facts about the summaries themselves, by name (see app/services/reporting/hooks.py)."""

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(64))
