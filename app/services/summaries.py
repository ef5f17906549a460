"""Keeping the summary tables (app/models/summary.py) in step with what learners do.

A stored attempt, a lesson opened for the first time, a learner joining or leaving a cohort
and a deleted account each call one function here, in the same transaction as the change
itself, so the open-range cohort report can read totals instead of every row. `rebuild`
computes every table again from the raw rows (migration backfill, demo data, bulk inserts).

Figures are the ones reports.py computes live: a learner's first attempt of a quiz is the one
with the lowest id; only graded questions of graded quizzes count in the item analysis; a week
starts on Monday (UTC). Totals are added with upserts that increment, and rows are touched in
one order (learner tables, then cohort_quiz_score, cohort_week, cohort_progress,
cohort_question, cohort_option, each by key) so that concurrent writers cannot deadlock.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Float,
    String,
    Table,
    TextClause,
    bindparam,
    case,
    cast,
    delete,
    func,
    select,
    text,
)

from app.extensions import db
from app.models import (
    Answer,
    Attempt,
    CohortMember,
    CohortOption,
    CohortProgress,
    CohortQuestion,
    CohortQuizScore,
    CohortWeek,
    LearnerProgress,
    LearnerQuiz,
    LearnerWeek,
    LessonRead,
    SummaryState,
)
from app.models.summary import COURSE
from app.services import progress, transactions
from app.services.catalogue import get_catalogue

LEARNER_QUIZ: Table = LearnerQuiz.__table__
LEARNER_WEEK: Table = LearnerWeek.__table__
LEARNER_PROGRESS: Table = LearnerProgress.__table__
QUIZ_SCORE: Table = CohortQuizScore.__table__
WEEK: Table = CohortWeek.__table__
PROGRESS: Table = CohortProgress.__table__
QUESTION: Table = CohortQuestion.__table__
OPTION: Table = CohortOption.__table__
# In the order rows are touched (and the reverse of the order they are emptied in).
TABLES = (
    LEARNER_QUIZ,
    LEARNER_WEEK,
    LEARNER_PROGRESS,
    QUIZ_SCORE,
    WEEK,
    PROGRESS,
    QUESTION,
    OPTION,
)

Deltas = dict[tuple, list[float]]  # key columns → amounts to add, in the table's column order


def week_of(moment: datetime) -> date:
    """The Monday of the moment's week."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


def _upsert(table: Table, on_conflict: str, returning: str = "") -> TextClause:
    """INSERT of one row per parameter set, ON CONFLICT on the primary key doing `on_conflict`.

    Written as SQL text, which reads the same on SQLite (≥ 3.35) and PostgreSQL: SQLAlchemy's
    dialect upserts are compiled again on every execution (they have no cache key), which cost
    several times more than running them on the submission path. Names come from our tables.
    """
    columns = ", ".join(f'"{c.name}"' for c in table.columns)
    values = ", ".join(f":{c.name}" for c in table.columns)
    keys = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
    sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({values}) '  # noqa: S608
    sql += f"ON CONFLICT ({keys}) {on_conflict}"
    if returning:
        sql += f" RETURNING {returning}"
    return text(sql).bindparams(*(bindparam(c.name, type_=c.type) for c in table.columns))


def _incrementing(table: Table, returning: str = "") -> TextClause:
    """The upsert that adds each new value to the stored one."""
    keys = {c.name for c in table.primary_key.columns}
    added = ", ".join(
        f'"{c.name}" = "{table.name}"."{c.name}" + excluded."{c.name}"'
        for c in table.columns
        if c.name not in keys
    )
    return _upsert(table, f"DO UPDATE SET {added}", returning)


_ADD = {table: _incrementing(table) for table in (QUIZ_SCORE, WEEK, PROGRESS, QUESTION, OPTION)}
_FIRST_QUIZ_ROW = _upsert(LEARNER_QUIZ, "DO NOTHING", '"user_id"')
_COUNT_WEEK = _incrementing(LEARNER_WEEK, '"lessons" + "attempts"')
_SET_PROGRESS = _upsert(
    LEARNER_PROGRESS,
    'DO UPDATE SET "started" = excluded."started", "completed" = excluded."completed"',
)


def _add(execute: Any, table: Table, deltas: Deltas) -> None:
    """Add `deltas` (primary key → amounts for the other columns, in table order) to the table's
    rows, creating missing ones: one statement, rows in key order."""
    keys = [c.name for c in table.primary_key.columns]
    columns = [c.name for c in table.columns if c.name not in keys]
    rows = [
        {**dict(zip(keys, key, strict=True)), **dict(zip(columns, amounts, strict=True))}
        for key, amounts in sorted(deltas.items())
        if any(amounts)
    ]
    if rows:
        execute(_ADD[table], rows)


def _plus(deltas: Deltas, key: tuple, *amounts: float) -> None:
    found = deltas.get(key)
    if found is None:
        deltas[key] = list(amounts)
    else:
        for i, amount in enumerate(amounts):
            found[i] += amount


# ------------------------------------------------------------------------------ item analysis


def _item_deltas(
    cohorts: Iterable[int],
    rows: Iterable[tuple[str, int, str, str, Sequence[str], bool | None]],
    sign: int = 1,
    questions: Deltas | None = None,
    options: Deltas | None = None,
) -> tuple[Deltas, Deltas]:
    """cohort_question and cohort_option amounts for answers of first attempts, given as
    (quiz id, attempt score, question id, question version, selected, correct)."""
    catalogue = get_catalogue()
    questions = {} if questions is None else questions
    options = {} if options is None else options
    cohorts = list(cohorts)
    for quiz_id, score, question_id, version, selected, correct in rows:
        quiz = catalogue.quiz(quiz_id)
        if correct is None or quiz is None or not quiz.is_graded:
            continue
        question = quiz.question(question_id)
        order = (
            question.correct_order or []
            if question is not None and question.kind == "ordering" and question.version == version
            else None
        )
        x = 1 if correct else 0
        y = score - x
        placed: dict[str, int] = defaultdict(int)
        if order is not None:
            for position, option_id in enumerate(selected):
                if position < len(order) and order[position] == option_id:
                    placed[option_id] += 1
        for cohort_id in cohorts:
            key = (cohort_id, quiz_id, question_id, version)
            _plus(
                questions,
                key,
                sign,
                sign * x,
                sign * x,
                sign * y,
                sign * x * y,
                sign * x,
                sign * y * y,
            )
            for option_id in selected:
                _plus(options, (*key, option_id), sign, 0)
            for option_id, n in placed.items():
                _plus(options, (*key, option_id), 0, sign * n)
    return questions, options


# ------------------------------------------------------------------------------ progress


class _Completion:
    """Started and completed modules for (lessons read, quizzes attempted, quizzes passed), as
    learner_progress rows; learners who did the same things share one answer."""

    def __init__(self) -> None:
        self.catalogue = get_catalogue()
        self.known: dict[tuple, dict[str, tuple[bool, bool]]] = {}

    def __call__(
        self, reads: Iterable[tuple[str, str]], attempted: Iterable[str], passed: Iterable[str]
    ) -> dict[str, tuple[bool, bool]]:
        read_by_module: dict[str, set[str]] = defaultdict(set)
        for module_id, lesson_id in reads:
            read_by_module[module_id].add(lesson_id)
        tried, passed_ids = frozenset(attempted), frozenset(passed)
        key = (frozenset((m, frozenset(ls)) for m, ls in read_by_module.items()), tried, passed_ids)
        found = self.known.get(key)
        if found is not None:
            return found
        started, completed = set(), set()
        for module in self.catalogue.modules:
            lessons = read_by_module.get(module.id, set())
            if lessons or any(q in tried for q in module.quizzes):
                started.add(module.id)
            if progress.is_module_complete(module, lessons, passed_ids):
                completed.add(module.id)
        found = {}
        if started:  # as in the report, completion counts only for learners who started
            found = {m: (m in started, m in completed) for m in started | completed}
            found[COURSE] = (True, len(completed) == len(self.catalogue.modules))
        self.known[key] = found
        return found


_READS_OF = select(LessonRead.__table__.c.module_id, LessonRead.__table__.c.lesson_id).where(
    LessonRead.__table__.c.user_id == bindparam("user_id")
)
_QUIZZES_OF = select(LEARNER_QUIZ.c.quiz_id, LEARNER_QUIZ.c.passed).where(
    LEARNER_QUIZ.c.user_id == bindparam("user_id")
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
_MEMBER = CohortMember.__table__
_COHORTS_OF = select(_MEMBER.c.cohort_id).where(
    _MEMBER.c.user_id == bindparam("user_id"), _MEMBER.c.role == "learner"
)
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


def _refresh_progress(user_id: int) -> Deltas:
    """Recompute the learner's learner_progress rows; return the change per module as
    (module id,) → [started, completed] amounts."""
    execute, mine = db.session.execute, {"user_id": user_id}
    reads = execute(_READS_OF, mine).all()
    quizzes = execute(_QUIZZES_OF, mine).all()
    old = {m: (bool(s), bool(c)) for m, s, c in execute(_PROGRESS_OF, mine)}
    new = _Completion()(reads, [q for q, _ in quizzes], [q for q, p in quizzes if p])
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


# ------------------------------------------------------------------------------ hooks


def _cohorts_of(user_id: int) -> list[int]:
    """The cohorts the user is a learner of."""
    return sorted(db.session.scalars(_COHORTS_OF, {"user_id": user_id}))


def _count_week(user_id: int, moment: datetime, lessons: int, attempts: int) -> tuple[date, bool]:
    """Add to the learner's week; return the week and whether they just became active in it."""
    week = week_of(moment)
    total = db.session.execute(
        _COUNT_WEEK,
        {"user_id": user_id, "week": week, "lessons": lessons, "attempts": attempts},
    ).scalar_one()
    return week, total == lessons + attempts


def _apply_to_cohorts(
    cohorts: list[int],
    week: date,
    newly_active: bool,
    lessons: int,
    attempts: int,
    progress_changes: Deltas,
    scores: Deltas | None = None,
    questions: Deltas | None = None,
    options: Deltas | None = None,
) -> None:
    execute = db.session.execute
    if scores:
        _add(execute, QUIZ_SCORE, scores)
    weeks = {(c, week): [int(newly_active), lessons, attempts] for c in cohorts}
    _add(execute, WEEK, weeks)
    modules = {(c, *key): amounts for c in cohorts for key, amounts in progress_changes.items()}
    _add(execute, PROGRESS, modules)
    if questions:
        _add(execute, QUESTION, questions)
        _add(execute, OPTION, options or {})


def attempt_stored(attempt: Attempt, answers: Sequence[Any]) -> None:
    """Count a new attempt (already flushed) with its answers (question_id, question_version,
    selected, correct) in the learner's summaries and in every cohort they learn in."""
    user_id, quiz_id = attempt.user_id, attempt.quiz_id
    if user_id is None:
        return
    ratio = attempt.score / attempt.max_score if attempt.max_score else 0.0
    passed = attempt.passed is True
    first = (
        db.session.execute(
            _FIRST_QUIZ_ROW,
            {
                "user_id": user_id,
                "quiz_id": quiz_id,
                "attempts": 1,
                "best_score": attempt.score,
                "best_ratio": ratio,
                "passed": passed,
                "first_attempt_id": attempt.id,
            },
        ).first()
        is not None
    )
    old = None
    if not first:
        mine = {"b_user": user_id, "b_quiz": quiz_id}
        old = db.session.execute(_QUIZ_ROW, mine).one()
        new_best, new_ratio = max(old.best_score, attempt.score), max(old.best_ratio, ratio)
        db.session.execute(
            _QUIZ_ROW_UPDATE,
            {
                **mine,
                "attempts": old.attempts + 1,
                "best_score": new_best,
                "best_ratio": new_ratio,
                "passed": old.passed or passed,
            },
        )
    week, newly_active = _count_week(user_id, attempt.submitted_at, 0, 1)
    progress_changes = _refresh_progress(user_id) if first or (passed and not old.passed) else {}
    cohorts = _cohorts_of(user_id)
    if not cohorts:
        return
    scores: Deltas = {}
    for cohort_id in cohorts:
        if old is None:
            _plus(scores, (cohort_id, quiz_id, attempt.score), 1, 1, ratio, int(passed))
            continue
        _plus(
            scores,
            (cohort_id, quiz_id, old.best_score),
            -1,
            -old.attempts,
            -old.best_ratio,
            -int(old.passed),
        )
        _plus(
            scores,
            (cohort_id, quiz_id, new_best),
            1,
            old.attempts + 1,
            new_ratio,
            int(old.passed or passed),
        )
    questions = options = None
    if first:
        questions, options = _item_deltas(
            cohorts,
            (
                (quiz_id, attempt.score, a.question_id, a.question_version, a.selected, a.correct)
                for a in answers
            ),
        )
    _apply_to_cohorts(
        cohorts, week, newly_active, 0, 1, progress_changes, scores, questions, options
    )


def lesson_first_read(user_id: int, moment: datetime) -> None:
    """Count a lesson the learner opened for the first time (the read row is already stored)."""
    week, newly_active = _count_week(user_id, moment, 1, 0)
    progress_changes = _refresh_progress(user_id)
    cohorts = _cohorts_of(user_id)
    if cohorts:
        _apply_to_cohorts(cohorts, week, newly_active, 1, 0, progress_changes)


def learners_joined(cohort_id: int, user_ids: Iterable[int]) -> None:
    """Add these new learners of the cohort (memberships already flushed) to its totals."""
    _move([cohort_id], sorted(set(user_ids)), 1)


def learners_left(cohort_id: int, user_ids: Iterable[int]) -> None:
    """Take these former learners of the cohort out of its totals."""
    _move([cohort_id], sorted(set(user_ids)), -1)


def leaving_every_cohort(user_id: int) -> None:
    """The learner's rows are about to be deleted: take them out of every cohort's totals."""
    _move(_cohorts_of(user_id), [user_id], -1)


def _move(cohort_ids: list[int], user_ids: list[int], sign: int) -> None:
    """Add (sign 1) or subtract (sign -1) the learners' own rows to or from the cohorts'."""
    if not user_ids or not cohort_ids:
        return
    session = db.session
    scores: Deltas = {}
    first_ids = []
    for quiz_id, attempts, best, ratio, passed, first_id in session.execute(
        select(
            LearnerQuiz.quiz_id,
            LearnerQuiz.attempts,
            LearnerQuiz.best_score,
            LearnerQuiz.best_ratio,
            LearnerQuiz.passed,
            LearnerQuiz.first_attempt_id,
        ).where(LearnerQuiz.user_id.in_(user_ids))
    ):
        for cohort_id in cohort_ids:
            key = (cohort_id, quiz_id, best)
            _plus(scores, key, sign, sign * attempts, sign * ratio, sign * int(passed))
        first_ids.append(first_id)
    weeks: Deltas = {}
    for week, lessons, attempts in session.execute(
        select(LearnerWeek.week, LearnerWeek.lessons, LearnerWeek.attempts).where(
            LearnerWeek.user_id.in_(user_ids)
        )
    ):
        active = 1 if lessons + attempts > 0 else 0
        for cohort_id in cohort_ids:
            _plus(
                weeks, (cohort_id, _as_date(week)), sign * active, sign * lessons, sign * attempts
            )
    modules: Deltas = {}
    for module_id, started, completed in session.execute(
        select(LearnerProgress.module_id, LearnerProgress.started, LearnerProgress.completed).where(
            LearnerProgress.user_id.in_(user_ids)
        )
    ):
        for cohort_id in cohort_ids:
            _plus(modules, (cohort_id, module_id), sign * int(started), sign * int(completed))
    questions: Deltas = {}
    options: Deltas = {}
    if first_ids:
        rows = session.execute(
            select(
                Attempt.quiz_id,
                Attempt.score,
                Answer.question_id,
                Answer.question_version,
                Answer.selected,
                Answer.correct,
            )
            .join(Attempt, Attempt.id == Answer.attempt_id)
            .where(Answer.attempt_id.in_(first_ids), Answer.correct.is_not(None))
        )
        _item_deltas(cohort_ids, rows, sign, questions, options)
    execute = session.execute
    _add(execute, QUIZ_SCORE, scores)
    _add(execute, WEEK, weeks)
    _add(execute, PROGRESS, modules)
    _add(execute, QUESTION, questions)
    _add(execute, OPTION, options)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# ------------------------------------------------------------------------------ rebuild


def _week_sql(column: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return func.date(func.date_trunc("week", column))
    return func.date(column, "weekday 0", "-6 days")


def _chunks(rows: list[dict], size: int = 5000) -> Iterable[list[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def rebuild(connection: Connection) -> None:
    """Compute every summary table again from attempts, answers, lesson reads and memberships."""
    dialect = connection.dialect.name
    for table in reversed(TABLES):
        connection.execute(delete(table))
    learner = CohortMember.role == "learner"

    # Per learner and quiz.
    ratio = cast(Attempt.score, Float) / func.nullif(Attempt.max_score, 0)
    connection.execute(
        LEARNER_QUIZ.insert().from_select(
            [
                "user_id",
                "quiz_id",
                "attempts",
                "best_score",
                "best_ratio",
                "passed",
                "first_attempt_id",
            ],
            select(
                Attempt.user_id,
                Attempt.quiz_id,
                func.count(Attempt.id),
                func.max(Attempt.score),
                func.coalesce(func.max(ratio), 0.0),
                func.max(case((Attempt.passed.is_(True), 1), else_=0)) == 1,
                func.min(Attempt.id),
            )
            .where(Attempt.user_id.is_not(None))
            .group_by(Attempt.user_id, Attempt.quiz_id),
        )
    )

    # Per learner and week.
    weeks: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0])
    for column, index, table_user in (
        (LessonRead.first_read_at, 0, LessonRead.user_id),
        (Attempt.submitted_at, 1, Attempt.user_id),
    ):
        week = _week_sql(column, dialect)
        for user_id, value, n in connection.execute(
            select(table_user, week, func.count())
            .where(table_user.is_not(None))
            .group_by(table_user, week)
        ):
            weeks[(user_id, _as_date(value))][index] += int(n)
    for chunk in _chunks(
        [
            {"user_id": u, "week": w, "lessons": n[0], "attempts": n[1]}
            for (u, w), n in sorted(weeks.items())
        ]
    ):
        connection.execute(LEARNER_WEEK.insert(), chunk)

    # Per learner and module.
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
    completion = _Completion()
    rows = []
    for user_id in sorted(set(reads) | set(quizzes)):
        done = quizzes.get(user_id, [])
        found = completion(reads.get(user_id, []), [q for q, _ in done], [q for q, p in done if p])
        rows.extend(
            {"user_id": user_id, "module_id": m, "started": s, "completed": c}
            for m, (s, c) in sorted(found.items())
        )
    for chunk in _chunks(rows):
        connection.execute(LEARNER_PROGRESS.insert(), chunk)

    # Per cohort: its learners' rows added up.
    member = select(CohortMember.cohort_id, CohortMember.user_id).where(learner).subquery()
    connection.execute(
        QUIZ_SCORE.insert().from_select(
            ["cohort_id", "quiz_id", "best_score", "learners", "attempts", "ratio_sum", "passed"],
            select(
                member.c.cohort_id,
                LearnerQuiz.quiz_id,
                LearnerQuiz.best_score,
                func.count(),
                func.sum(LearnerQuiz.attempts),
                func.sum(LearnerQuiz.best_ratio),
                func.sum(case((LearnerQuiz.passed.is_(True), 1), else_=0)),
            )
            .select_from(LearnerQuiz)
            .join(member, member.c.user_id == LearnerQuiz.user_id)
            .group_by(member.c.cohort_id, LearnerQuiz.quiz_id, LearnerQuiz.best_score),
        )
    )
    connection.execute(
        WEEK.insert().from_select(
            ["cohort_id", "week", "active", "lessons", "attempts"],
            select(
                member.c.cohort_id,
                LearnerWeek.week,
                func.sum(case((LearnerWeek.lessons + LearnerWeek.attempts > 0, 1), else_=0)),
                func.sum(LearnerWeek.lessons),
                func.sum(LearnerWeek.attempts),
            )
            .select_from(LearnerWeek)
            .join(member, member.c.user_id == LearnerWeek.user_id)
            .group_by(member.c.cohort_id, LearnerWeek.week),
        )
    )
    connection.execute(
        PROGRESS.insert().from_select(
            ["cohort_id", "module_id", "started", "completed"],
            select(
                member.c.cohort_id,
                LearnerProgress.module_id,
                func.sum(case((LearnerProgress.started.is_(True), 1), else_=0)),
                func.sum(case((LearnerProgress.completed.is_(True), 1), else_=0)),
            )
            .select_from(LearnerProgress)
            .join(member, member.c.user_id == LearnerProgress.user_id)
            .group_by(member.c.cohort_id, LearnerProgress.module_id),
        )
    )

    # Item analysis: each cohort learner's first attempt, grouped by what was chosen.
    chosen = cast(Answer.selected, String)
    questions: Deltas = {}
    options: Deltas = {}
    keys = (
        member.c.cohort_id,
        Attempt.quiz_id,
        Attempt.score,
        Answer.question_id,
        Answer.question_version,
        Answer.correct,
        chosen,
    )
    for cohort_id, quiz_id, score, question_id, version, correct, selected, n in connection.execute(
        select(*keys, func.count())
        .select_from(Answer)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(LearnerQuiz, LearnerQuiz.first_attempt_id == Attempt.id)
        .join(member, member.c.user_id == Attempt.user_id)
        .where(Answer.correct.is_not(None))
        .group_by(*keys)
    ):
        selected_ids = json.loads(selected) if selected else []
        row = (quiz_id, score, question_id, version, selected_ids, correct)
        _item_deltas([cohort_id], [row], int(n), questions, options)

    def execute(statement: Any, rows: list[dict]) -> None:
        for chunk in _chunks(rows):
            connection.execute(statement, chunk)

    _add(execute, QUESTION, questions)
    _add(execute, OPTION, options)
    # Updated in place, so that a worker waiting on this row's lock reads the new value.
    state = {"name": PROGRESS_BASIS, "value": progress_basis()}
    basis = SummaryState.__table__
    if not connection.execute(
        basis.update().where(basis.c.name == PROGRESS_BASIS).values(value=state["value"])
    ).rowcount:
        connection.execute(basis.insert().values(**state))


# ------------------------------------------------------------------------------ course changes

# Module completion is judged when a learner acts, against the modules of that moment. The
# summary state keeps a fingerprint of what it was judged against, so that a course whose
# modules gained or lost a lesson or a graded quiz has its summaries rebuilt once, by the first
# report that sees the change, instead of showing completions by the old rules.
PROGRESS_BASIS = "progress_basis"
_BASIS = select(SummaryState.value).where(SummaryState.name == PROGRESS_BASIS)


def progress_basis() -> str:
    """A fingerprint of what module completion depends on: each module's lessons and graded
    quizzes (progress.is_module_complete)."""
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


def ensure_current() -> None:
    """Rebuild the summaries if the course's modules changed since they were computed (one
    small query when they did not)."""
    basis = progress_basis()
    if db.session.scalar(_BASIS) == basis:
        return
    transactions.begin_writing()
    # Locked, and read again: of several workers that saw the change, one rebuilds.
    stored = db.session.scalar(_BASIS.with_for_update())
    if stored == basis:
        return
    if stored is None:
        # A database made without the migrations (the tests'): the hooks have kept its
        # summaries since it was empty, under the modules of now.
        db.session.add(SummaryState(name=PROGRESS_BASIS, value=basis))
    else:
        rebuild(db.session.connection())
    db.session.commit()
