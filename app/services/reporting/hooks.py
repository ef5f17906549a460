"""Keeping the summary tables (app/models/summary.py) in step with what learners do.

A stored attempt, a lesson opened for the first time, a learner joining or leaving a cohort
and a deleted account each call one function here, in the same transaction as the change
itself, so the open-range cohort report can read totals instead of every row; each figure's
module computes its own amounts. `rebuild` computes every table again from the raw rows (the
`cohorts rebuild-summaries` command, migrations, demo data, bulk inserts).

Rows are touched in one order (learner_quiz, learner_week, learner_progress, learner_concept,
then cohort_quiz_score, cohort_week, cohort_progress, cohort_question, cohort_option,
cohort_concept, each by key)
so that concurrent writers cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, true

from app.extensions import db
from app.models import Attempt
from app.services import presentation
from app.services.reporting import item_analysis, module_progress, quiz_scores, weekly_activity
from app.services.reporting.common import (
    LEARNER_MEMBER,
    MEMBER,
    Deltas,
    add,
    cohorts_of,
    dialect,
    incrementing,
)
from app.services.reporting.item_analysis import OPTION, QUESTION
from app.services.reporting.learning_gain import (
    CONCEPT,
    LEARNER_CONCEPT,
    concept_deltas,
    concepts_moved,
    count_completed_pairs,
    rebuild_concepts,
)
from app.services.reporting.module_progress import LEARNER_PROGRESS, PROGRESS
from app.services.reporting.quiz_scores import LEARNER_QUIZ, QUIZ_SCORE
from app.services.reporting.weekly_activity import LEARNER_WEEK, WEEK

# In the order rows are touched (and the reverse of the order they are emptied in).
TABLES = (
    LEARNER_QUIZ,
    LEARNER_WEEK,
    LEARNER_PROGRESS,
    LEARNER_CONCEPT,
    QUIZ_SCORE,
    WEEK,
    PROGRESS,
    QUESTION,
    OPTION,
    CONCEPT,
)


def _add_to_cohorts(
    scores: Deltas,
    weeks: Deltas,
    modules: Deltas,
    items: tuple[Deltas, Deltas] | None,
    concepts: Deltas | None = None,
) -> None:
    execute = db.session.execute
    add(execute, QUIZ_SCORE, scores)
    add(execute, WEEK, weeks)
    add(execute, PROGRESS, modules)
    if items is not None:
        add(execute, QUESTION, items[0])
        add(execute, OPTION, items[1])
    if concepts:
        add(execute, CONCEPT, concepts)


@dataclass(frozen=True)
class Coming:
    """What a new attempt of a learner at a quiz is stored on top of (see attempt_coming)."""

    quiz_row: Any  # their learner_quiz row, locked (quiz_scores.LEARNER_QUIZ_ROW); None if none
    made: int  # their attempts at the quiz so far
    passes: int  # how many of them passed
    cohorts: list[int]  # the cohorts they learn in


# One statement for what attempt_coming reads, instead of one each for the locked learner_quiz
# row, the attempts so far and the cohorts: on PostgreSQL every statement is a round trip made
# while the row lock is held. One row per cohort (one without a cohort); `seen_attempts` is the
# learner_quiz row as the statement's snapshot has it, unlocked (see attempt_coming).
_LOCKED = quiz_scores.LEARNER_QUIZ_ROW.subquery("locked")
_SEEN = quiz_scores.LEARNER_QUIZ.alias("seen")
_COUNTS = presentation.ATTEMPTS_AND_PASSES.subquery("counts")
_COMING = (
    select(
        *_LOCKED.c,
        _SEEN.c.attempts.label("seen_attempts"),
        _COUNTS.c.made,
        _COUNTS.c.passes,
        MEMBER.c.cohort_id,
    )
    .select_from(_COUNTS)
    .outerjoin(_LOCKED, true())
    .outerjoin(
        _SEEN,
        (_SEEN.c.user_id == bindparam("user_id")) & (_SEEN.c.quiz_id == bindparam("quiz_id")),
    )
    .outerjoin(MEMBER, LEARNER_MEMBER)
)


def attempt_coming(user_id: int, quiz_id: str) -> Coming:
    """Read (and on PostgreSQL lock) what a new attempt of the learner at the quiz is stored on
    top of, in one statement; hand the answer to attempt_stored.

    The lock (FOR UPDATE of the learner_quiz row) makes two submissions of one learner to one
    quiz count and number their attempts in turn. A statement reads what was committed when it
    began, except the row it locks, which it reads as committed once the lock is granted: when
    it had to wait for another submission, the attempts it counted are from before that one.
    Then the locked row differs from the row as the statement began (`seen_attempts`), and the
    statement runs again, under the lock now held. On SQLite, whose write lock the transaction
    holds, they never differ."""
    params = {"user_id": user_id, "quiz_id": quiz_id, "b_user": user_id, "b_quiz": quiz_id}
    rows = db.session.execute(_COMING, params).all()
    if rows[0].attempts != rows[0].seen_attempts:
        rows = db.session.execute(_COMING, params).all()
    first = rows[0]
    return Coming(
        first if first.attempts is not None else None,
        first.made,
        first.passes,
        sorted(row.cohort_id for row in rows if row.cohort_id is not None),
    )


# On PostgreSQL an attempt's update of its learner_quiz row is run as a WITH clause of the
# learner_week upsert: one round trip instead of two. The row is locked since attempt_coming,
# so rows are still locked in the order of TABLES. SQLite has no UPDATE within WITH (and no
# round trips to save).
_QUIZ_AND_WEEK = incrementing(
    LEARNER_WEEK, weekly_activity.WEEK_TOTAL, f"WITH quiz AS ({quiz_scores.ROW_UPDATE_SQL}) "
)


def attempt_stored(attempt: Attempt, answers: Sequence[Any], before: Coming) -> None:
    """Count a new attempt (already flushed) with its answers (question_id, question_version,
    selected, correct) in the learner's summaries and in every cohort they learn in; `before`
    is what attempt_coming read."""
    user_id = attempt.user_id
    if user_id is None:
        return
    change = quiz_scores.count_learner_attempt(attempt, before.quiz_row)
    week_statement, more = None, {}
    if change.update is not None and dialect() == "postgresql":
        week_statement, more = _QUIZ_AND_WEEK, change.update
    elif change.update is not None:
        db.session.execute(quiz_scores.ROW_UPDATE, change.update)
    week, newly_active = weekly_activity.count_learner_week(
        user_id, attempt.submitted_at, 0, 1, week_statement, **more
    )
    modules = (
        module_progress.refresh_learner(user_id) if change.first or change.newly_passed else {}
    )
    concepts = count_completed_pairs(attempt, change.first)
    cohorts = before.cohorts
    if not cohorts:
        return
    _add_to_cohorts(
        quiz_scores.cohort_deltas(cohorts, change),
        weekly_activity.cohort_deltas(cohorts, week, newly_active, 0, 1),
        module_progress.cohort_deltas(cohorts, modules),
        item_analysis.first_attempt_deltas(cohorts, attempt, answers) if change.first else None,
        concept_deltas(cohorts, concepts),
    )


def lesson_first_read(user_id: int, moment: datetime) -> None:
    """Count a lesson the learner opened for the first time (the read row is already stored)."""
    week, newly_active = weekly_activity.count_learner_week(user_id, moment, 1, 0)
    modules = module_progress.refresh_learner(user_id)
    cohorts = cohorts_of(user_id)
    if cohorts:
        _add_to_cohorts(
            {},
            weekly_activity.cohort_deltas(cohorts, week, newly_active, 1, 0),
            module_progress.cohort_deltas(cohorts, modules),
            None,
        )


def learners_joined(cohort_id: int, user_ids: Iterable[int]) -> None:
    """Add these new learners of the cohort (memberships already flushed) to its totals."""
    _move([cohort_id], sorted(set(user_ids)), 1)


def learners_left(cohort_id: int, user_ids: Iterable[int]) -> None:
    """Take these former learners of the cohort out of its totals."""
    _move([cohort_id], sorted(set(user_ids)), -1)


def leaving_every_cohort(user_id: int) -> None:
    """The learner's rows are about to be deleted: take them out of every cohort's totals."""
    _move(cohorts_of(user_id), [user_id], -1)


def _move(cohort_ids: list[int], user_ids: list[int], sign: int) -> None:
    """Add (sign 1) or subtract (sign -1) the learners' own rows to or from the cohorts'."""
    if not user_ids or not cohort_ids:
        return
    _add_to_cohorts(
        quiz_scores.moved(cohort_ids, user_ids, sign),
        weekly_activity.moved(cohort_ids, user_ids, sign),
        module_progress.moved(cohort_ids, user_ids, sign),
        item_analysis.moved(cohort_ids, user_ids, sign),
        concepts_moved(cohort_ids, user_ids, sign),
    )


def rebuild(connection: Connection) -> None:
    """Compute every summary table again from attempts, answers, lesson reads and memberships,
    and record which modules module progress was judged against. Flushes nothing and commits
    nothing: the command or migration that calls it commits."""
    # learner_quiz first: module progress and item analysis are judged from it.
    quiz_scores.rebuild(connection)
    weekly_activity.rebuild(connection)
    module_progress.rebuild(connection)
    item_analysis.rebuild(connection)
    rebuild_concepts(connection)
