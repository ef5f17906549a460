"""The progress matrix: one row per learner with lessons read per module, best score per quiz,
modules completed. Computed live: it is per learner, so a summary would hold as many rows as the
source."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from app.content import Module, Quiz
from app.extensions import db
from app.models import Attempt, LessonRead
from app.services.catalogue import get_catalogue
from app.services.reporting.certificates import (
    HeldCertificate,
    certificates_by_learner,
    learner_certificate,
)
from app.services.reporting.common import ReportFilter
from app.services.reporting.learners import LearnerRef, by_name_key, cohort_learners
from app.services.reporting.module_progress import LearnerState, learner_states


@dataclass
class QuizCell:
    attempts: int = 0
    best: float | None = None
    max_score: int = 0
    passed: bool | None = None
    failed: int = 0
    last: datetime | None = None


@dataclass
class LearnerRow:
    """One learner across the course: lessons read per module, best score per quiz, completion."""

    learner: LearnerRef
    lessons: dict[str, int]
    quizzes: dict[str, QuizCell]
    started: frozenset[str]
    completed: frozenset[str]
    last_activity: datetime | None
    certificate: HeldCertificate | None = None  # the newest, revoked or not

    @property
    def completed_count(self) -> int:
        return len(self.completed)


@dataclass(frozen=True)
class ModuleColumns:
    """One module's group of columns in the matrix: lessons read, then its graded quizzes."""

    module: Module
    quizzes: list[Quiz]

    @property
    def width(self) -> int:
        return 1 + len(self.quizzes)


def matrix_columns() -> list[ModuleColumns]:
    """The matrix's column groups, one per module in course order."""
    catalogue = get_catalogue()
    groups = []
    for module in catalogue.modules:
        quizzes = [catalogue.quiz(quiz_id) for quiz_id in module.quizzes]
        groups.append(ModuleColumns(module, [q for q in quizzes if q and q.is_graded]))
    return groups


def _lessons_read(f: ReportFilter, *narrow: Any) -> dict[int, dict[str, int]]:
    """Lessons read per learner and module (lessons the course still has)."""
    catalogue = get_catalogue()
    lessons: dict[int, dict[str, int]] = defaultdict(dict)
    current_lessons = or_(
        *(
            and_(LessonRead.module_id == m.id, LessonRead.lesson_id.in_([x.id for x in m.lessons]))
            for m in catalogue.modules
        )
    )
    for user_id, module_id, count in db.session.execute(
        select(LessonRead.user_id, LessonRead.module_id, func.count())
        .where(*f.reads(), current_lessons, *narrow)
        .group_by(LessonRead.user_id, LessonRead.module_id)
    ):
        lessons[user_id][module_id] = int(count)
    return lessons


def _quiz_cells(f: ReportFilter, *narrow: Any) -> dict[int, dict[str, QuizCell]]:
    """Attempts, best score, passed and failures per learner and quiz."""
    quizzes: dict[int, dict[str, QuizCell]] = defaultdict(dict)
    for user_id, quiz_id, n, best, max_score, passed, failed, last in db.session.execute(
        select(
            Attempt.user_id,
            Attempt.quiz_id,
            func.count(Attempt.id),
            func.max(Attempt.score),
            func.max(Attempt.max_score),
            func.max(case((Attempt.passed.is_(True), 1), (Attempt.passed.is_(False), 0))),
            func.sum(case((Attempt.passed.is_(False), 1), else_=0)),
            func.max(Attempt.submitted_at),
        )
        .where(*f.attempts(), *narrow)
        .group_by(Attempt.user_id, Attempt.quiz_id)
    ):
        quizzes[user_id][quiz_id] = QuizCell(
            n, best, max_score, None if passed is None else bool(passed), int(failed or 0), last
        )
    return quizzes


def learner_rows(f: ReportFilter, only: LearnerRef | None = None) -> list[LearnerRow]:
    """Every learner's row of the progress matrix (a constant number of queries), or `only`
    that learner's (the drill-down's summary: the same figures, read for one person)."""
    if only is None:
        learners = cohort_learners(f)
        lessons = _lessons_read(f)
        quizzes = _quiz_cells(f)
        states = learner_states(f)
        held = certificates_by_learner(f)
    else:
        learners = [only]
        lessons = _lessons_read(f, LessonRead.user_id == only.id)
        quizzes = _quiz_cells(f, Attempt.user_id == only.id)
        states = learner_states(f, only.id)
        certificate = learner_certificate(f, only.id)
        held = {only.id: certificate} if certificate else {}
    empty = LearnerState(frozenset(), frozenset(), None)
    rows = []
    for learner in learners:
        state = states.get(learner.id, empty)
        rows.append(
            LearnerRow(
                learner,
                lessons.get(learner.id, {}),
                quizzes.get(learner.id, {}),
                state.started,
                state.completed,
                state.last_activity,
                held.get(learner.id),
            )
        )
    return rows


SORTS = ("name", "email", "completed", "last-activity")


def sort_rows(rows: list[LearnerRow], key: str, descending: bool = False) -> list[LearnerRow]:
    """Sort the matrix by name, email, modules completed, last activity, a module's lessons
    read (`module:<id>`) or a quiz's best score (`quiz:<id>`). Unknown keys sort by name."""
    by_name = sorted(rows, key=lambda r: by_name_key(r.learner))
    kind, _, item = key.partition(":")
    low = datetime.min
    keys = {
        "name": None,
        "email": lambda r: r.learner.email,
        "completed": lambda r: r.completed_count,
        "last-activity": lambda r: r.last_activity or low,
        "module": lambda r: (item in r.completed, r.lessons.get(item, 0)),
        "quiz": lambda r: r.quizzes[item].best if item in r.quizzes else -1,
    }
    chosen = keys.get(kind)
    if chosen is None:
        return list(reversed(by_name)) if descending else by_name
    return sorted(by_name, key=chosen, reverse=descending)
