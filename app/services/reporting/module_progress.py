"""Module progress: how many of a cohort's learners started and completed each module.

Live, from lesson reads and attempts; kept up to date in learner_progress and cohort_progress;
rebuilt from the rows. Completion is judged against the modules of the moment a learner acts,
so the summary state keeps a fingerprint of those modules (`progress_basis`): when the course's
modules change, the open-range report counts progress live until `flask --app run cohorts
rebuild-summaries` has run.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, case, delete, func, select

from app.content import Module
from app.extensions import db
from app.models import (
    Attempt,
    CohortProgress,
    LearnerProgress,
    LearnerQuiz,
    LessonRead,
    SummaryState,
)
from app.models.summary import COURSE
from app.services.catalogue import get_catalogue
from app.services.completion import is_module_complete
from app.services.reporting.common import (
    Deltas,
    ReportFilter,
    chunks,
    concat,
    split,
    upsert,
)
from app.services.reporting.summing import count_true, for_cohorts, sum_per_cohort

LEARNER_PROGRESS = LearnerProgress.__table__
PROGRESS = CohortProgress.__table__
PROGRESS_BASIS = "progress_basis"

Modules = tuple[frozenset[str], frozenset[str]]  # started, completed


@dataclass(frozen=True)
class ModuleStats:
    module: Module
    started: int
    completed: int


@dataclass(frozen=True)
class ProgressFigures:
    modules: list[ModuleStats]
    started: int  # learners who started any module
    completed_all: int  # learners who completed every module


@dataclass(frozen=True)
class LearnerState:
    """Which modules a learner started and completed within the range, and when they were last
    active."""

    started: frozenset[str]
    completed: frozenset[str]
    last_activity: datetime | None


class Completion:
    """Started and completed modules for (lessons read, quizzes attempted, quizzes passed),
    remembered: learners who did the same things share one answer."""

    def __init__(self) -> None:
        self.catalogue = get_catalogue()
        self.known: dict[tuple, Modules] = {}

    def judge(
        self, reads: Iterable[tuple[str, str]], attempted: Iterable[str], passed: Iterable[str]
    ) -> Modules:
        """From (module id, lesson id) pairs and quiz ids."""
        read_by_module: dict[str, set[str]] = defaultdict(set)
        for module_id, lesson_id in reads:
            read_by_module[module_id].add(lesson_id)
        tried, passed_ids = frozenset(attempted), frozenset(passed)
        key = (frozenset((m, frozenset(ls)) for m, ls in read_by_module.items()), tried, passed_ids)
        found = self.known.get(key)
        if found is None:
            started, completed = set(), set()
            for module in self.catalogue.modules:
                lessons = read_by_module.get(module.id, set())
                if lessons or any(q in tried for q in module.quizzes):
                    started.add(module.id)
                if is_module_complete(module, lessons, passed_ids):
                    completed.add(module.id)
            found = self.known[key] = (frozenset(started), frozenset(completed))
        return found

    def judge_text(self, reads: str | None, attempted: str | None, passed: str | None) -> Modules:
        """From `concat`-joined text ("module:lesson" pairs, quiz ids). Remembered by the text
        itself: a large cohort's learners mostly did the same things, and parsing was the cost."""
        key = (reads or "", attempted or "", passed or "")
        found = self.known.get(key)
        if found is None:
            pairs = [tuple(item.split(":", 1)) for item in split(reads)]
            found = self.known[key] = self.judge(pairs, split(attempted), split(passed))
        return found


def learner_modules(found: Modules) -> dict[str, tuple[bool, bool]]:
    """A learner's learner_progress rows: module id → (started, completed), with COURSE."""
    started, completed = found
    if not started:  # as in the report, completion counts only for learners who started
        return {}
    rows = {m: (m in started, m in completed) for m in started | completed}
    rows[COURSE] = (True, len(completed) == len(get_catalogue().modules))
    return rows


# ------------------------------------------------------------------------------ live


def learner_states(f: ReportFilter, only: int | None = None) -> dict[int, LearnerState]:
    """The cohort's learners who did anything within the range, with their started and
    completed modules and their last activity (two queries); `only` that learner if given."""
    one_reader = [LessonRead.user_id == only] if only is not None else []
    one_attempter = [Attempt.user_id == only] if only is not None else []
    reads = db.session.execute(
        select(
            LessonRead.user_id,
            concat(LessonRead.module_id + ":" + LessonRead.lesson_id),
            func.max(LessonRead.first_read_at),
        )
        .where(*f.reads(), *one_reader)
        .group_by(LessonRead.user_id)
    ).all()
    attempts = db.session.execute(
        select(
            Attempt.user_id,
            concat(Attempt.quiz_id),
            concat(case((Attempt.passed.is_(True), Attempt.quiz_id))),
            func.max(Attempt.submitted_at),
        )
        .where(*f.attempts(), *one_attempter)
        .group_by(Attempt.user_id)
    ).all()
    by_user: dict[int, list[Any]] = {}
    for user_id, read, last in reads:
        by_user[user_id] = [read, None, None, last]
    for user_id, attempted, passed, last in attempts:
        entry = by_user.setdefault(user_id, [None, None, None, None])
        entry[1], entry[2] = attempted, passed
        entry[3] = max(filter(None, (entry[3], last)), default=None)
    completion = Completion()
    states = {}
    for user_id, (read, attempted, passed, last) in by_user.items():
        started, completed = completion.judge_text(read, attempted, passed)
        states[user_id] = LearnerState(started, completed, last)
    return states


def live_figures(f: ReportFilter) -> ProgressFigures:
    """Per module, the learners who started and completed it within the range."""
    catalogue = get_catalogue()
    started: Counter = Counter()
    completed: Counter = Counter()
    anyone_started = completed_all = 0
    for state in learner_states(f).values():
        if not state.started:
            continue
        anyone_started += 1
        started.update(state.started)
        completed.update(state.completed)
        completed_all += len(state.completed) == len(catalogue.modules)
    return ProgressFigures(
        [ModuleStats(m, started[m.id], completed[m.id]) for m in catalogue.modules],
        anyone_started,
        completed_all,
    )


# ------------------------------------------------------------------------------ summary


def summary_figures(cohort_id: int) -> ProgressFigures:
    """The open-range figures, from cohort_progress (one query)."""
    found = {
        module_id: (int(started), int(completed))
        for module_id, started, completed in db.session.execute(
            select(PROGRESS.c.module_id, PROGRESS.c.started, PROGRESS.c.completed).where(
                PROGRESS.c.cohort_id == cohort_id
            )
        )
    }
    course = found.get(COURSE, (0, 0))
    modules = [ModuleStats(m, *found.get(m.id, (0, 0))) for m in get_catalogue().modules]
    return ProgressFigures(modules, course[0], course[1])


# ------------------------------------------------------------------------------ delta

_SET_PROGRESS = upsert(
    LEARNER_PROGRESS,
    'DO UPDATE SET "started" = excluded."started", "completed" = excluded."completed"',
)
_READS_OF = select(LessonRead.__table__.c.module_id, LessonRead.__table__.c.lesson_id).where(
    LessonRead.__table__.c.user_id == bindparam("user_id")
)
_QUIZZES_OF = select(LearnerQuiz.__table__.c.quiz_id, LearnerQuiz.__table__.c.passed).where(
    LearnerQuiz.__table__.c.user_id == bindparam("user_id")
)
_PROGRESS_OF = (
    select(LEARNER_PROGRESS.c.module_id, LEARNER_PROGRESS.c.started, LEARNER_PROGRESS.c.completed)
    .where(LEARNER_PROGRESS.c.user_id == bindparam("user_id"))
    .with_for_update()
)
_PROGRESS_GONE = delete(LEARNER_PROGRESS).where(
    LEARNER_PROGRESS.c.user_id == bindparam("user_id"),
    LEARNER_PROGRESS.c.module_id.in_(bindparam("gone", expanding=True)),
)


def refresh_learner(user_id: int) -> Deltas:
    """Judge the learner's modules again and store their learner_progress rows; return the
    change per module as (module id,) → [started, completed] amounts."""
    execute, mine = db.session.execute, {"user_id": user_id}
    reads = execute(_READS_OF, mine).all()
    quizzes = execute(_QUIZZES_OF, mine).all()
    old = {m: (bool(s), bool(c)) for m, s, c in execute(_PROGRESS_OF, mine)}
    judged = Completion().judge(reads, [q for q, _ in quizzes], [q for q, p in quizzes if p])
    new = learner_modules(judged)
    changes: Deltas = {}
    for module_id in sorted(set(old) | set(new)):
        before, after = old.get(module_id, (False, False)), new.get(module_id, (False, False))
        if before != after:
            changes[(module_id,)] = [after[0] - before[0], after[1] - before[1]]
    gone = [m for (m,) in changes if m not in new]
    if gone:
        execute(_PROGRESS_GONE, {"user_id": user_id, "gone": gone})
    kept = [
        {"user_id": user_id, "module_id": m, "started": new[m][0], "completed": new[m][1]}
        for (m,) in changes
        if m in new
    ]
    if kept:
        execute(_SET_PROGRESS, kept)
    return changes


def cohort_deltas(cohorts: list[int], changes: Deltas) -> Deltas:
    """cohort_progress amounts for one learner's changes, in each of their cohorts."""
    return for_cohorts(cohorts, changes.items())


def moved(cohort_ids: list[int], user_ids: list[int], sign: int) -> Deltas:
    """cohort_progress amounts for learners joining (sign 1) or leaving (-1) the cohorts."""
    rows = db.session.execute(
        select(LearnerProgress.module_id, LearnerProgress.started, LearnerProgress.completed).where(
            LearnerProgress.user_id.in_(user_ids)
        )
    )
    return for_cohorts(cohort_ids, (((m,), (int(s), int(c))) for m, s, c in rows), sign)


# ------------------------------------------------------------------------------ rebuild


def rebuild(connection: Connection) -> None:
    """Fill learner_progress from lesson reads and learner_quiz (rebuilt first), then
    cohort_progress from it."""
    connection.execute(delete(PROGRESS))
    connection.execute(delete(LEARNER_PROGRESS))
    reads: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for user_id, module_id, lesson_id in connection.execute(
        select(LessonRead.user_id, LessonRead.module_id, LessonRead.lesson_id)
    ):
        reads[user_id].append((module_id, lesson_id))
    quizzes: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    for user_id, quiz_id, passed in connection.execute(
        select(LearnerQuiz.user_id, LearnerQuiz.quiz_id, LearnerQuiz.passed)
    ):
        quizzes[user_id].append((quiz_id, bool(passed)))
    completion = Completion()
    rows = []
    for user_id in sorted(set(reads) | set(quizzes)):
        done = quizzes.get(user_id, [])
        judged = completion.judge(
            reads.get(user_id, []), [q for q, _ in done], [q for q, p in done if p]
        )
        rows.extend(
            {"user_id": user_id, "module_id": m, "started": s, "completed": c}
            for m, (s, c) in sorted(learner_modules(judged).items())
        )
    for chunk in chunks(rows):
        connection.execute(LEARNER_PROGRESS.insert(), chunk)
    sum_per_cohort(
        connection,
        PROGRESS,
        LEARNER_PROGRESS,
        ["module_id"],
        [count_true(LEARNER_PROGRESS.c.started), count_true(LEARNER_PROGRESS.c.completed)],
    )
    record_basis(connection)


# ------------------------------------------------------------------------------ course changes

_BASIS = select(SummaryState.value).where(SummaryState.name == PROGRESS_BASIS)


def progress_basis() -> str:
    """A fingerprint of what module completion depends on: each module's lessons and graded
    quizzes (app/services/completion.py)."""
    catalogue = get_catalogue()
    shape = [
        [
            m.id,
            [lesson.id for lesson in m.lessons],
            [q.id for q in catalogue.quizzes_of(m) if q.is_graded],
        ]
        for m in catalogue.modules
    ]
    return hashlib.sha256(json.dumps(shape).encode()).hexdigest()[:32]


def summaries_follow_the_course() -> bool:
    """Whether cohort_progress was judged against today's modules (one small query, no write).
    A database made without the migrations (the tests') has no fingerprint: its hooks have kept
    the summaries since it was empty, under the modules of now."""
    stored = db.session.scalar(_BASIS)
    return stored is None or stored == progress_basis()


def record_basis(connection: Connection) -> None:
    """Store the fingerprint of today's modules, updated in place so that a worker waiting on
    this row's lock reads the new value."""
    table, value = SummaryState.__table__, progress_basis()
    updated = connection.execute(
        table.update().where(table.c.name == PROGRESS_BASIS).values(value=value)
    )
    if not updated.rowcount:
        connection.execute(table.insert().values(name=PROGRESS_BASIS, value=value))
