"""Where a learner stands: lessons read, quiz results, module completion and the next step."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Row, bindparam, case, func, null, select, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.content import Module, Quiz
from app.db import begin_writing
from app.extensions import db
from app.models import Attempt, LessonRead, utcnow
from app.services import learning_records
from app.services.catalogue import get_catalogue
from app.services.completion import is_module_complete
from app.services.reporting import hooks


def record_lesson_read(user_id: int, module: Module, lesson_id: str) -> None:
    """Remember that the learner opened this lesson (the first time counts; repeats are no-ops)."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    stored = db.session.execute(
        insert(LessonRead)
        .values(user_id=user_id, module_id=module.id, lesson_id=lesson_id, first_read_at=now)
        .on_conflict_do_nothing(index_elements=["user_id", "module_id", "lesson_id"])
        .returning(LessonRead.id)
    ).first()
    # RETURNING, not rowcount: psycopg reports -1 rows for this statement, read or not.
    if stored is not None:
        hooks.lesson_first_read(user_id, now)
        learning_records.lesson_first_read(user_id, module, lesson_id, now)


@dataclass(frozen=True)
class QuizStatus:
    quiz: Quiz
    attempts: int
    best_score: float | None
    passed: bool | None  # None: self-assessment, or never attempted
    last_submitted_at: datetime | None


@dataclass(frozen=True)
class ModuleProgress:
    module: Module
    lessons_read: frozenset[str]
    quizzes: list[QuizStatus]
    completed: bool
    next_step: tuple[str, str] | None = None  # ("lesson" | "quiz", id); None when all is done
    steps_done: int = 0
    steps_total: int = field(default=0)

    @property
    def lessons_completed(self) -> int:
        return sum(1 for lesson in self.module.lessons if lesson.id in self.lessons_read)

    @property
    def percent(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0

    @property
    def started(self) -> bool:
        return bool(self.lessons_read) or any(q.attempts for q in self.quizzes)


# Statements built once, with the learner as a parameter: on SQLite, building a statement and its
# cache key takes several times longer than running it, and these run on every lesson page.
_QUIZ_STATS = (
    select(
        Attempt.quiz_id,
        func.count(Attempt.id),
        func.max(Attempt.score),
        func.max(case((Attempt.passed.is_(True), 1), else_=0)),
        func.max(Attempt.submitted_at),
    )
    .where(Attempt.user_id == bindparam("user_id"))
    .group_by(Attempt.quiz_id)
)
_LESSONS_READ = select(LessonRead.module_id, LessonRead.lesson_id).where(
    LessonRead.user_id == bindparam("user_id")
)
# The quiz statistics plus one row per lesson read in a module (its count is NULL): one statement.
_MODULE_STATE = union_all(
    _QUIZ_STATS,
    select(LessonRead.lesson_id, null(), null(), null(), null()).where(
        LessonRead.user_id == bindparam("user_id"),
        LessonRead.module_id == bindparam("module_id"),
    ),
)

QuizStats = dict[str, tuple[int, int | None, bool, datetime | None]]


def _stats_from(rows: Iterable[Row]) -> QuizStats:
    return {
        quiz_id: (count, best, bool(passed), last) for quiz_id, count, best, passed, last in rows
    }


def _module_state(user_id: int, module_id: str) -> tuple[set[str], QuizStats]:
    """The lessons of the module the learner has read, and their results in every quiz."""
    read: set[str] = set()
    quiz_rows = []
    state = db.session.connection().execute(  # plain columns: no need of the ORM's layer
        _MODULE_STATE, {"user_id": user_id, "module_id": module_id}
    )
    for row in state:
        if row[1] is None:
            read.add(row[0])
        else:
            quiz_rows.append(row)
    return read, _stats_from(quiz_rows)


def _progress_of(
    module: Module,
    read: set[str],
    stats: QuizStats,
) -> ModuleProgress:
    catalogue = get_catalogue()
    lessons_read = frozenset(read & {lesson.id for lesson in module.lessons})
    statuses = []
    for quiz in catalogue.quizzes_of(module):
        count, best, passed, last = stats.get(quiz.id, (0, None, False, None))
        statuses.append(
            QuizStatus(
                quiz=quiz,
                attempts=count,
                best_score=best if quiz.is_graded else None,
                passed=(passed if count else None) if quiz.is_graded else None,
                last_submitted_at=last,
            )
        )
    passed_ids = [s.quiz.id for s in statuses if s.passed]
    next_step = (
        next(
            (("lesson", lesson.id) for lesson in module.lessons if lesson.id not in lessons_read),
            None,
        )
        or next((("quiz", s.quiz.id) for s in statuses if s.quiz.is_graded and not s.passed), None)
        # A pre-test is offered before the lessons, never suggested after them.
        or next(
            (("quiz", s.quiz.id) for s in statuses if not s.attempts and not s.quiz.is_pre_test),
            None,
        )
    )
    graded = [s for s in statuses if s.quiz.is_graded]
    done = len(lessons_read) + sum(1 for s in graded if s.passed)
    return ModuleProgress(
        module=module,
        lessons_read=lessons_read,
        quizzes=statuses,
        completed=is_module_complete(module, lessons_read, passed_ids),
        next_step=next_step,
        steps_done=done,
        steps_total=len(module.lessons) + len(graded),
    )


def course_progress(user_id: int) -> list[ModuleProgress]:
    """Progress through every module, in course order (two queries, whatever the course size)."""
    read: dict[str, set[str]] = {}
    for module_id, lesson_id in db.session.execute(_LESSONS_READ, {"user_id": user_id}):
        read.setdefault(module_id, set()).add(lesson_id)
    stats = _stats_from(db.session.execute(_QUIZ_STATS, {"user_id": user_id}))
    return [
        _progress_of(module, read.get(module.id, set()), stats)
        for module in get_catalogue().modules
    ]


def module_progress(user_id: int, module_id: str) -> ModuleProgress | None:
    """Progress through one module (one query)."""
    module = get_catalogue().module(module_id)
    if module is None:
        return None
    read, stats = _module_state(user_id, module.id)
    return _progress_of(module, read, stats)


def open_lesson(user_id: int, module: Module, lesson_id: str) -> tuple[ModuleProgress, bool]:
    """Record that the learner opened the lesson; their progress in its module, and whether this
    was the first visit (recorded now, to be committed).

    A lesson read before is not written again, so re-reading is one read-only query; only the
    first visit takes the write lock (on SQLite) to store the read.
    """
    read, stats = _module_state(user_id, module.id)
    recorded = lesson_id not in read
    if recorded:
        begin_writing()
        record_lesson_read(user_id, module, lesson_id)
        read.add(lesson_id)
    return _progress_of(module, read, stats), recorded
