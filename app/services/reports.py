"""Cohort reports: progress, quiz results, item analysis, self-assessments and who needs attention.

Every figure is computed with SQL aggregation over the cohort's learners, so a report costs the
same number of queries whatever the cohort's size. Every query takes one ReportFilter (the
cohort and an optional date range): only lessons opened and quizzes submitted within the range
count, for every figure alike. The cohort report without a date range, the one trainers open
most, reads the same figures from summary tables kept up to date as learners work
(app/services/summaries.py), so its cost does not grow with the cohort either.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import (
    Float,
    String,
    Text,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from app.content import Module, Question, Quiz
from app.extensions import db
from app.models import (
    Answer,
    Attempt,
    Cohort,
    CohortMember,
    CohortOption,
    CohortProgress,
    CohortQuestion,
    CohortQuizScore,
    CohortWeek,
    LessonRead,
    User,
    utcnow,
)
from app.models.summary import COURSE
from app.services import summaries
from app.services.catalogue import get_catalogue
from app.services.progress import is_module_complete

# Item-analysis flags, as in Moodle's quiz statistics: a facility above EASY or below HARD, or a
# negative discrimination, deserves a second look once at least FLAG_MIN_ANSWERS learners answered.
EASY = 0.9
HARD = 0.3
FLAG_MIN_ANSWERS = 5
# Self-assessment figures are shown only when this many learners have a result, so that no one's
# answers can be read off a distribution.
MIN_GROUP = 3
STALLED_DAYS = 14


class ReportFilterError(ValueError):
    """A date range that cannot be used (unreadable, or ending before it starts)."""


@dataclass(frozen=True)
class ReportFilter:
    """The cohort and the dates a report covers; both dates are included, None means open."""

    cohort_id: int
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def parse(cls, cohort_id: int, date_from: str | None, date_to: str | None) -> ReportFilter:
        """From ISO dates (YYYY-MM-DD) as a form or a query string gives them; empty is open."""
        dates = []
        for label, value in (("from", date_from), ("to", date_to)):
            value = (value or "").strip()
            if not value:
                dates.append(None)
                continue
            try:
                dates.append(date.fromisoformat(value))
            except ValueError:
                raise ReportFilterError(
                    f"Write the '{label}' date as year-month-day, like 2024-05-31."
                ) from None
        if dates[0] and dates[1] and dates[1] < dates[0]:
            raise ReportFilterError("Choose a 'to' date on or after the 'from' date.")
        return cls(cohort_id, dates[0], dates[1])

    @property
    def start(self) -> datetime | None:
        return datetime.combine(self.date_from, datetime.min.time()) if self.date_from else None

    @property
    def end(self) -> datetime | None:
        """The first moment after the range (the day after `date_to`, at midnight)."""
        return (
            datetime.combine(self.date_to + timedelta(days=1), datetime.min.time())
            if self.date_to
            else None
        )

    @property
    def is_open(self) -> bool:
        return self.date_from is None and self.date_to is None

    def learner_ids(self) -> Any:
        return select(CohortMember.user_id).where(
            CohortMember.cohort_id == self.cohort_id, CohortMember.role == "learner"
        )

    def _in_range(self, column: Any) -> list[ColumnElement[bool]]:
        conditions = []
        if self.start is not None:
            conditions.append(column >= self.start)
        if self.end is not None:
            conditions.append(column < self.end)
        return conditions

    def attempts(self) -> list[ColumnElement[bool]]:
        """Conditions for the cohort's learners' attempts within the range."""
        return [Attempt.user_id.in_(self.learner_ids()), *self._in_range(Attempt.submitted_at)]

    def reads(self) -> list[ColumnElement[bool]]:
        return [
            LessonRead.user_id.in_(self.learner_ids()),
            *self._in_range(LessonRead.first_read_at),
        ]

    def as_args(self) -> dict[str, str]:
        """The filter as query-string arguments, for links that keep it."""
        args = {}
        if self.date_from:
            args["from"] = self.date_from.isoformat()
        if self.date_to:
            args["to"] = self.date_to.isoformat()
        return args

    @property
    def reference_time(self) -> datetime:
        """'Now' for this report: the end of the range when it is in the past."""
        now = utcnow()
        return min(now, self.end) if self.end else now


# ------------------------------------------------------------------------------ SQL helpers


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _concat(column: Any) -> Any:
    """Comma-joined values of a group (NULLs skipped), in either database."""
    if _dialect() == "postgresql":
        return func.string_agg(column, literal(","))
    return func.group_concat(column, ",")


def _week(column: Any) -> Any:
    """The Monday of the column's week, as a date (PostgreSQL) or an ISO string (SQLite)."""
    if _dialect() == "postgresql":
        return func.date(func.date_trunc("week", column))
    return func.date(column, "weekday 0", "-6 days")


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _split(text: str | None) -> frozenset[str]:
    return frozenset(text.split(",")) if text else frozenset()


# ------------------------------------------------------------------------------ progress


@dataclass(frozen=True)
class LearnerState:
    """Which modules a learner started and completed within the range, and when they were last
    active."""

    started: frozenset[str]
    completed: frozenset[str]
    last_activity: datetime | None


class _Completion:
    """is_module_complete and 'started', remembered per distinct (lessons read, quizzes
    attempted, quizzes passed): learners who did the same things share one answer."""

    def __init__(self) -> None:
        self.catalogue = get_catalogue()
        self.known: dict[tuple[str, str, str], tuple[frozenset[str], frozenset[str]]] = {}

    def __call__(
        self, reads: str | None, attempted: str | None, passed: str | None
    ) -> tuple[frozenset[str], frozenset[str]]:
        key = (reads or "", attempted or "", passed or "")
        found = self.known.get(key)
        if found is None:
            read_by_module: dict[str, set[str]] = defaultdict(set)
            for item in _split(reads):
                module_id, _, lesson_id = item.partition(":")
                read_by_module[module_id].add(lesson_id)
            tried, passed_ids = _split(attempted), _split(passed)
            started, completed = set(), set()
            for module in self.catalogue.modules:
                lessons = read_by_module.get(module.id, set())
                if lessons or any(q in tried for q in module.quizzes):
                    started.add(module.id)
                if is_module_complete(module, lessons, passed_ids):
                    completed.add(module.id)
            found = self.known[key] = (frozenset(started), frozenset(completed))
        return found


def learner_states(f: ReportFilter) -> dict[int, LearnerState]:
    """Every learner of the cohort with their started and completed modules (two queries)."""
    reads = db.session.execute(
        select(
            LessonRead.user_id,
            _concat(LessonRead.module_id + ":" + LessonRead.lesson_id),
            func.max(LessonRead.first_read_at),
        )
        .where(*f.reads())
        .group_by(LessonRead.user_id)
    ).all()
    attempts = db.session.execute(
        select(
            Attempt.user_id,
            _concat(Attempt.quiz_id),
            _concat(case((Attempt.passed.is_(True), Attempt.quiz_id))),
            func.max(Attempt.submitted_at),
        )
        .where(*f.attempts())
        .group_by(Attempt.user_id)
    ).all()
    by_user: dict[int, list[Any]] = {}
    for user_id, read, last in reads:
        by_user[user_id] = [read, None, None, last]
    for user_id, attempted, passed, last in attempts:
        entry = by_user.setdefault(user_id, [None, None, None, None])
        entry[1], entry[2] = attempted, passed
        entry[3] = max(filter(None, (entry[3], last)), default=None)
    completion = _Completion()
    states = {}
    for user_id, (read, attempted, passed, last) in by_user.items():
        started, completed = completion(read, attempted, passed)
        states[user_id] = LearnerState(started, completed, last)
    return states


# ------------------------------------------------------------------------------ item analysis


@dataclass
class OptionCount:
    id: str
    text: str
    correct: bool
    count: int = 0
    in_place: int | None = None  # ordering questions: how many put it in its right place
    most_chosen_wrong: bool = False


@dataclass
class QuestionStats:
    """Item analysis of one question (one version of it) over learners' first attempts."""

    id: str
    version: str
    question: Question | None
    current: bool
    answered: int = 0
    right: int = 0
    facility: float | None = None
    discrimination: float | None = None
    options: list[OptionCount] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    # Sums for the discrimination: x = this question's score, y = the rest of the attempt's.
    _sums: list[float] = field(default_factory=lambda: [0.0] * 5, repr=False)

    @property
    def most_chosen_wrong(self) -> OptionCount | None:
        return next((o for o in self.options if o.most_chosen_wrong), None)


def pearson(n: float, sx: float, sy: float, sxy: float, sxx: float, syy: float) -> float | None:
    """r = (nΣxy − ΣxΣy) / √((nΣx² − (Σx)²)(nΣy² − (Σy)²)); None when it cannot be computed."""
    if n < 2:
        return None
    denominator = (n * sxx - sx * sx) * (n * syy - sy * sy)
    if denominator <= 1e-12:
        return None
    return (n * sxy - sx * sy) / math.sqrt(denominator)


def _first_attempts(f: ReportFilter, quiz_ids: list[str]) -> Any:
    return (
        select(func.min(Attempt.id).label("id"))
        .where(*f.attempts(), Attempt.quiz_id.in_(quiz_ids))
        .group_by(Attempt.user_id, Attempt.quiz_id)
    )


def item_analysis(f: ReportFilter) -> dict[str, list[QuestionStats]]:
    """Per graded quiz, its graded questions' figures over each learner's first attempt within
    the range (one query). Current versions come first, in quiz order; older versions follow."""
    catalogue = get_catalogue()
    graded = [q.id for q in catalogue.quizzes.values() if q.is_graded]
    if not graded:
        return {}
    chosen = cast(Answer.selected, String)
    rows = db.session.execute(
        select(
            Attempt.quiz_id,
            Answer.question_id,
            Answer.question_version,
            Answer.correct,
            chosen,
            func.count(),
            func.sum(Attempt.score),
            func.sum(Attempt.score * Attempt.score),
        )
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Answer.attempt_id.in_(_first_attempts(f, graded)), Answer.correct.is_not(None))
        .group_by(
            Attempt.quiz_id, Answer.question_id, Answer.question_version, Answer.correct, chosen
        )
    ).all()
    found: dict[tuple[str, str, str], QuestionStats] = {}
    option_counts: dict[tuple[str, str, str], Counter] = defaultdict(Counter)
    in_place: dict[tuple[str, str, str], Counter] = defaultdict(Counter)
    for quiz_id, question_id, version, correct, selected_text, n, s_score, s_score2 in rows:
        quiz = catalogue.quiz(quiz_id)
        question = quiz.question(question_id) if quiz else None
        key = (quiz_id, question_id, version)
        stats = found.get(key)
        if stats is None:
            current = question is not None and question.version == version
            stats = found[key] = QuestionStats(question_id, version, question, current)
        s_score, s_score2 = float(s_score or 0), float(s_score2 or 0)
        stats.answered += n
        sums = stats._sums  # Σx, Σy, Σxy, Σx², Σy²; x is 0 or 1, y = score − x
        if correct:
            stats.right += n
            sums[0] += n
            sums[1] += s_score - n
            sums[2] += s_score - n
            sums[3] += n
            sums[4] += s_score2 - 2 * s_score + n
        else:
            sums[1] += s_score
            sums[4] += s_score2
        selected = json.loads(selected_text) if selected_text else []
        for option_id in selected:
            option_counts[key][option_id] += n
        if question is not None and question.kind == "ordering" and stats.current:
            for position, option_id in enumerate(selected):
                order = question.correct_order or []
                if position < len(order) and order[position] == option_id:
                    in_place[key][option_id] += n
    return _finish_items(graded, found, option_counts, in_place)


def _finish_items(
    graded: list[str],
    found: dict[tuple[str, str, str], QuestionStats],
    option_counts: dict[tuple[str, str, str], Counter],
    in_place: dict[tuple[str, str, str], Counter],
) -> dict[str, list[QuestionStats]]:
    """Facility, discrimination, options and flags from the counted answers, per quiz."""
    catalogue = get_catalogue()
    result: dict[str, list[QuestionStats]] = {quiz_id: [] for quiz_id in graded}
    for key, stats in found.items():
        sx, sy, sxy, sxx, syy = stats._sums
        stats.facility = stats.right / stats.answered if stats.answered else None
        stats.discrimination = pearson(stats.answered, sx, sy, sxy, sxx, syy)
        stats.options = _options(stats, option_counts[key], in_place.get(key))
        stats.flags = _flags(stats)
        result.setdefault(key[0], []).append(stats)
    for quiz_id, entries in result.items():
        quiz = catalogue.quiz(quiz_id)
        order = {q.id: i for i, q in enumerate(quiz.questions)} if quiz else {}
        entries.sort(key=lambda s: (not s.current, order.get(s.id, 10_000), s.id, s.version))
    return result


def _options(stats: QuestionStats, counts: Counter, placed: Counter | None) -> list[OptionCount]:
    question = stats.question
    if question is not None and stats.current:
        right = set(question.correct_option_ids)
        options = [
            OptionCount(o.id, o.text, o.id in right, counts.get(o.id, 0)) for o in question.options
        ]
    else:  # an older version: the ids chosen then, without today's texts
        options = [OptionCount(i, i, False, c) for i, c in sorted(counts.items())]
    if question is not None and question.kind == "ordering" and stats.current:
        for option in options:
            option.in_place = (placed or Counter()).get(option.id, 0)
            option.correct = False
        misplaced = [o for o in options if o.in_place < stats.answered]
        if misplaced:
            min(misplaced, key=lambda o: o.in_place).most_chosen_wrong = True
        return options
    wrong = [o for o in options if not o.correct and o.count]
    if wrong and stats.current:
        max(wrong, key=lambda o: o.count).most_chosen_wrong = True
    return options


def _flags(stats: QuestionStats) -> list[str]:
    if stats.answered < FLAG_MIN_ANSWERS or stats.facility is None:
        return []
    flags = []
    if stats.facility >= EASY:
        flags.append("too easy")
    if stats.facility <= HARD:
        flags.append("too hard")
    if stats.discrimination is not None and stats.discrimination < 0:
        flags.append("negative discrimination")
    return flags


# ------------------------------------------------------------------------------ the report


@dataclass(frozen=True)
class ModuleStats:
    module: Module
    started: int
    completed: int


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


class LearnerRef(NamedTuple):
    """A learner of the cohort (a named tuple: a report may hold ten thousand of them)."""

    id: int
    name: str
    email: str
    active: bool
    joined_at: datetime


@dataclass
class CohortReport:
    cohort: Cohort
    filter: ReportFilter
    learners: list[LearnerRef]  # empty when the report was asked for without them
    learner_count: int
    modules: list[ModuleStats]
    quizzes: list[QuizStats]
    activity: list[dict[str, Any]]  # one per week: week (Monday), active, lessons, attempts
    not_started: int
    completed_all: int


_USER = User.__table__
_MEMBER = CohortMember.__table__
# On the tables, not the mapped classes: for 10,000 learners the ORM's row handling alone took
# five times as long as the query (Core rows: ~20 ms on SQLite).
_COHORT_LEARNERS = (
    select(_USER.c.id, _USER.c.name, _USER.c.email, _USER.c.active, _MEMBER.c.joined_at)
    .join(_MEMBER, _MEMBER.c.user_id == _USER.c.id)
    .where(_MEMBER.c.cohort_id == bindparam("cohort_id"), _MEMBER.c.role == "learner")
    .order_by(_USER.c.name, _USER.c.id)
)


def cohort_learners(f: ReportFilter) -> list[LearnerRef]:
    """The cohort's learners, by name."""
    db.session.flush()  # as an ORM query would: a Core statement sees only flushed changes
    rows = db.session.execute(_COHORT_LEARNERS, {"cohort_id": f.cohort_id}).all()
    return [LearnerRef._make(row) for row in rows]


def learners_json(f: ReportFilter) -> str:
    """The cohort's learners as the API lists them, `[{"id", "name", "email"}, …]` by name, as
    JSON text written by the database: one row, instead of Python objects for each of ten
    thousand learners (building those, and the garbage collections they set off, cost more
    than the rest of the report)."""
    ordered = (
        select(_USER.c.id, _USER.c.name, _USER.c.email)
        .join(_MEMBER, _MEMBER.c.user_id == _USER.c.id)
        .where(_MEMBER.c.cohort_id == f.cohort_id, _MEMBER.c.role == "learner")
        .order_by(_USER.c.name, _USER.c.id)
        .subquery("learner")
    )
    if _dialect() == "postgresql":  # row_to_json writes compact objects, as Python does
        row = cast(func.row_to_json(literal_column("learner")), Text)
        array = func.concat(
            "[",
            func.string_agg(row, aggregate_order_by(literal(","), ordered.c.name, ordered.c.id)),
            "]",
        )
    else:  # SQLite aggregates the rows of an ordered subquery in its order
        fields = [literal_column("'id'"), ordered.c.id, literal_column("'name'"), ordered.c.name]
        fields += [literal_column("'email'"), ordered.c.email]
        array = func.json_group_array(func.json_object(*fields))
    db.session.flush()  # as an ORM query would: a Core statement sees only flushed changes
    return db.session.scalar(select(cast(array, Text)).select_from(ordered)) or "[]"


def _quiz_stats(f: ReportFilter) -> dict[str, QuizStats]:
    per_learner = (
        select(
            Attempt.quiz_id,
            func.count(Attempt.id).label("n"),
            func.max(Attempt.score).label("best"),
            func.max(cast(Attempt.score, Float) / func.nullif(Attempt.max_score, 0)).label("ratio"),
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
    return _quiz_stats_from(rows)


def _quiz_stats_from(rows: list[Any]) -> dict[str, QuizStats]:
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
        if entry.quiz.is_graded and entry.learners:
            entry.mean_best_score = sums[quiz_id][0] / entry.learners
            entry.pass_rate = sums[quiz_id][1] / entry.learners
        if entry.quiz.is_graded:
            seen = {d["score"]: d["learners"] for d in entry.distribution}
            top = max([entry.quiz.max_score, *seen])
            entry.distribution = [
                {"score": s, "label": f"{s} / {entry.quiz.max_score}", "learners": seen.get(s, 0)}
                for s in range(top + 1)
            ]
    return stats


def activity(f: ReportFilter) -> list[dict[str, Any]]:
    """Per week: learners active, lessons opened and quizzes submitted (one query)."""
    events = union_all(
        select(
            _week(LessonRead.first_read_at).label("week"),
            LessonRead.user_id.label("user_id"),
            literal(1).label("lessons"),
            literal(0).label("attempts"),
        ).where(*f.reads()),
        select(
            _week(Attempt.submitted_at).label("week"),
            Attempt.user_id.label("user_id"),
            literal(0).label("lessons"),
            literal(1).label("attempts"),
        ).where(*f.attempts()),
    ).subquery()
    rows = db.session.execute(
        select(
            events.c.week,
            func.count(func.distinct(events.c.user_id)),
            func.sum(events.c.lessons),
            func.sum(events.c.attempts),
        )
        .group_by(events.c.week)
        .order_by(events.c.week)
    ).all()
    return _weeks_from(rows)


def _weeks_from(rows: list[Any]) -> list[dict[str, Any]]:
    """Every week from the first to the last active one, from rows of (week, learners active,
    lessons opened, quizzes submitted)."""
    found = {
        _as_date(week): (int(active), int(lessons or 0), int(attempts or 0))
        for week, active, lessons, attempts in rows
    }
    if not found:
        return []
    weeks, current, last = [], min(found), max(found)
    while current <= last:  # quiet weeks are shown as zeros, not left out
        active, lessons, attempts = found.get(current, (0, 0, 0))
        weeks.append(
            {
                "week": current,
                "label": current.strftime("%d %b"),
                "active": active,
                "lessons": lessons,
                "attempts": attempts,
            }
        )
        current += timedelta(days=7)
    return weeks


@dataclass(frozen=True)
class _Figures:
    modules: list[ModuleStats]
    quizzes: list[QuizStats]
    activity: list[dict[str, Any]]
    started: int
    completed_all: int


def _roomy_sorts() -> None:
    """On PostgreSQL, let this transaction's aggregations hash in memory instead of sorting on
    disk (the default 4 MB work_mem is far too small for a large cohort's answers)."""
    if _dialect() == "postgresql":
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))


def _figures(f: ReportFilter, with_items: bool) -> _Figures:
    catalogue = get_catalogue()
    _roomy_sorts()
    states = learner_states(f)
    quiz_stats = _quiz_stats(f)
    if with_items:
        for quiz_id, questions in item_analysis(f).items():
            if quiz_id in quiz_stats:
                quiz_stats[quiz_id].questions = [q for q in questions if q.current]
                quiz_stats[quiz_id].older = [q for q in questions if not q.current]
    started: Counter = Counter()
    completed: Counter = Counter()
    anyone_started = completed_all = 0
    for state in states.values():
        if not state.started:
            continue
        anyone_started += 1
        started.update(state.started)
        completed.update(state.completed)
        if len(state.completed) == len(catalogue.modules):
            completed_all += 1
    return _Figures(
        modules=[ModuleStats(m, started[m.id], completed[m.id]) for m in catalogue.modules],
        quizzes=[quiz_stats[q] for m in catalogue.modules for q in m.quizzes if q in quiz_stats],
        activity=activity(f),
        started=anyone_started,
        completed_all=completed_all,
    )


def _summary_figures(f: ReportFilter, with_items: bool) -> _Figures:
    """The open-range figures, read from the cohort's summary tables (app/models/summary.py):
    a few rows per module, quiz, question and week, whatever the number of learners."""
    summaries.ensure_current()
    catalogue = get_catalogue()
    cohort_id = f.cohort_id
    progress = {
        module_id: (int(started), int(completed))
        for module_id, started, completed in db.session.execute(
            select(
                CohortProgress.module_id, CohortProgress.started, CohortProgress.completed
            ).where(CohortProgress.cohort_id == cohort_id)
        )
    }
    quiz_stats = _quiz_stats_from(
        db.session.execute(
            select(
                CohortQuizScore.quiz_id,
                CohortQuizScore.best_score,
                CohortQuizScore.learners,
                CohortQuizScore.attempts,
                CohortQuizScore.ratio_sum,
                CohortQuizScore.passed,
            ).where(CohortQuizScore.cohort_id == cohort_id, CohortQuizScore.learners > 0)
        ).all()
    )
    if with_items:
        for quiz_id, questions in _summary_items(cohort_id).items():
            if quiz_id in quiz_stats:
                quiz_stats[quiz_id].questions = [q for q in questions if q.current]
                quiz_stats[quiz_id].older = [q for q in questions if not q.current]
    weeks = db.session.execute(
        select(CohortWeek.week, CohortWeek.active, CohortWeek.lessons, CohortWeek.attempts)
        .where(CohortWeek.cohort_id == cohort_id, CohortWeek.active > 0)
        .order_by(CohortWeek.week)
    ).all()
    course = progress.get(COURSE, (0, 0))
    return _Figures(
        modules=[ModuleStats(m, *progress.get(m.id, (0, 0))) for m in catalogue.modules],
        quizzes=[quiz_stats[q] for m in catalogue.modules for q in m.quizzes if q in quiz_stats],
        activity=_weeks_from(weeks),
        started=course[0],
        completed_all=course[1],
    )


def _summary_items(cohort_id: int) -> dict[str, list[QuestionStats]]:
    """item_analysis over the open range, from cohort_question and cohort_option (two queries)."""
    catalogue = get_catalogue()
    graded = [q.id for q in catalogue.quizzes.values() if q.is_graded]
    if not graded:
        return {}
    found: dict[tuple[str, str, str], QuestionStats] = {}
    for row in db.session.execute(
        select(
            CohortQuestion.quiz_id,
            CohortQuestion.question_id,
            CohortQuestion.question_version,
            CohortQuestion.answered,
            CohortQuestion.correct,
            CohortQuestion.sum_x,
            CohortQuestion.sum_y,
            CohortQuestion.sum_xy,
            CohortQuestion.sum_xx,
            CohortQuestion.sum_yy,
        ).where(
            CohortQuestion.cohort_id == cohort_id,
            CohortQuestion.quiz_id.in_(graded),
            CohortQuestion.answered > 0,
        )
    ):
        quiz_id, question_id, version, answered, right, *sums = row
        question = catalogue.quiz(quiz_id).question(question_id)
        current = question is not None and question.version == version
        stats = QuestionStats(question_id, version, question, current, answered, right)
        stats._sums = [float(x) for x in sums]
        found[(quiz_id, question_id, version)] = stats
    option_counts: dict[tuple[str, str, str], Counter] = defaultdict(Counter)
    in_place: dict[tuple[str, str, str], Counter] = defaultdict(Counter)
    for quiz_id, question_id, version, option_id, chosen, placed in db.session.execute(
        select(
            CohortOption.quiz_id,
            CohortOption.question_id,
            CohortOption.question_version,
            CohortOption.option_id,
            CohortOption.chosen,
            CohortOption.in_place,
        ).where(
            CohortOption.cohort_id == cohort_id,
            CohortOption.quiz_id.in_(graded),
            CohortOption.chosen > 0,
        )
    ):
        key = (quiz_id, question_id, version)
        option_counts[key][option_id] = chosen
        if placed:
            in_place[key][option_id] = placed
    return _finish_items(graded, found, option_counts, in_place)


def cohort_report(
    f: ReportFilter, with_items: bool = True, with_learners: bool = True
) -> CohortReport:
    """The cohort's overview: the figures of the API's report, plus activity over time.

    Without a date range the figures come from the summary tables; with one they are computed
    from the rows in the range. `with_learners=False` leaves `learners` empty (pages that only
    show how many there are need not load them all); `learner_count` is always set.
    """
    cohort = db.session.get(Cohort, f.cohort_id)
    if with_learners:
        learners = cohort_learners(f)
        count = len(learners)
    else:
        learners = []
        count = db.session.scalar(select(func.count()).select_from(f.learner_ids().subquery()))
    compute = _summary_figures if f.is_open else _figures
    figures = cached(("report", with_items), f, lambda: compute(f, with_items))
    return CohortReport(
        cohort=cohort,
        filter=f,
        learners=learners,
        learner_count=count,
        modules=figures.modules,
        quizzes=figures.quizzes,
        activity=figures.activity,
        not_started=count - figures.started,
        completed_all=figures.completed_all,
    )


# ------------------------------------------------------------------------------ cache

# Computed figures, per process, for REPORT_CACHE_SECONDS (default 300; off when testing). An
# entry is used only while the data it was computed from is unchanged: the newest attempt and
# lesson read, the cohort's learners and the course version are part of its key, so a new
# answer or a new learner shows at once. Rows are only ever added to those tables, except when
# an account is deleted, and that also takes the learner out of the cohort.
_CACHE: OrderedDict[tuple, tuple[float, Any]] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 64


def _data_version(f: ReportFilter) -> tuple:
    members = select(func.count(), func.max(CohortMember.joined_at)).where(
        CohortMember.cohort_id == f.cohort_id, CohortMember.role == "learner"
    )
    row = db.session.execute(
        select(
            select(func.max(Attempt.id)).scalar_subquery(),
            select(func.max(LessonRead.id)).scalar_subquery(),
            members.with_only_columns(func.count()).scalar_subquery(),
            members.with_only_columns(func.max(CohortMember.joined_at)).scalar_subquery(),
        )
    ).one()
    return (*row, get_catalogue().version)


def cached(kind: tuple, f: ReportFilter, compute: Callable[[], Any]) -> Any:
    """`compute()`, or its result from an earlier call on the same, unchanged data."""
    seconds = current_app.config.get("REPORT_CACHE_SECONDS", 0 if current_app.testing else 300)
    if not seconds:
        return compute()
    key = (kind, f, _data_version(f))
    now = time.monotonic()
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] > now:
            _CACHE.move_to_end(key)
            return hit[1]
    value = compute()
    with _CACHE_LOCK:
        _CACHE[key] = (now + seconds, value)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def report_json_text(report: CohortReport) -> str:
    """The API's report as JSON text, as jsonify would write it, but with the learners from
    `learners_json`: ask for the report without them (`cohort_report(f, with_learners=False)`)."""
    body = report_json(report)
    del body["learners"]
    rest = current_app.json.dumps(body, separators=(",", ":"))
    return '{"learners":' + learners_json(report.filter) + "," + rest[1:] + "\n"


def report_json(report: CohortReport) -> dict[str, Any]:
    """The report as GET /api/v1/cohorts/{id}/report returns it."""

    def question_json(q: QuestionStats) -> dict[str, Any]:
        return {
            "id": q.id,
            "version": q.version,
            "answered": q.answered,
            "facility": q.facility,
            "discrimination": q.discrimination,
            "options": [{"id": o.id, "count": o.count} for o in q.options],
            "flags": q.flags,
        }

    return {
        "cohort": {"id": report.cohort.id, "name": report.cohort.name},
        "filter": {
            "from": report.filter.date_from.isoformat() if report.filter.date_from else None,
            "to": report.filter.date_to.isoformat() if report.filter.date_to else None,
        },
        "learners": [{"id": x.id, "name": x.name, "email": x.email} for x in report.learners],
        "modules": [
            {
                "id": m.module.id,
                "title": m.module.title,
                "started": m.started,
                "completed": m.completed,
            }
            for m in report.modules
        ],
        "quizzes": [
            {
                "id": q.quiz.id,
                "title": q.quiz.title,
                "kind": q.quiz.kind,
                "attempts": q.attempts,
                "learners": q.learners,
                "mean_best_score": q.mean_best_score,
                "pass_rate": q.pass_rate,
                "questions": [question_json(x) for x in q.questions],
                "older_versions": [question_json(x) for x in q.older],
            }
            for q in report.quizzes
        ],
    }


# ------------------------------------------------------------------------------ progress matrix


@dataclass
class QuizCell:
    attempts: int = 0
    best: int | None = None
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

    @property
    def completed_count(self) -> int:
        return len(self.completed)


def learner_rows(f: ReportFilter) -> list[LearnerRow]:
    """Every learner's row of the progress matrix (a constant number of queries)."""
    catalogue = get_catalogue()
    learners = cohort_learners(f)
    states = learner_states(f)
    lessons: dict[int, dict[str, int]] = defaultdict(dict)
    current_lessons = or_(
        *(
            and_(LessonRead.module_id == m.id, LessonRead.lesson_id.in_([x.id for x in m.lessons]))
            for m in catalogue.modules
        )
    )
    for user_id, module_id, count in db.session.execute(
        select(LessonRead.user_id, LessonRead.module_id, func.count())
        .where(*f.reads(), current_lessons)
        .group_by(LessonRead.user_id, LessonRead.module_id)
    ):
        lessons[user_id][module_id] = int(count)
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
        .where(*f.attempts())
        .group_by(Attempt.user_id, Attempt.quiz_id)
    ):
        quizzes[user_id][quiz_id] = QuizCell(
            n, best, max_score, None if passed is None else bool(passed), int(failed or 0), last
        )
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
            )
        )
    return rows


SORTS = ("name", "email", "completed", "last-activity")


def sort_rows(rows: list[LearnerRow], key: str, descending: bool = False) -> list[LearnerRow]:
    """Sort the matrix by name, email, modules completed, last activity, a module's lessons
    read (`module:<id>`) or a quiz's best score (`quiz:<id>`). Unknown keys sort by name."""
    by_name = sorted(rows, key=lambda r: (r.learner.name.casefold(), r.learner.id))
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


# ------------------------------------------------------------------------------ needs attention


@dataclass(frozen=True)
class Attention:
    learner: LearnerRef
    reasons: list[str]
    last_activity: datetime | None


def needs_attention(f: ReportFilter, stalled_days: int = STALLED_DAYS) -> list[Attention]:
    """Active learners who have not started, stalled for `stalled_days`, or failed a graded quiz
    twice or more, each with the reasons in words."""
    catalogue = get_catalogue()
    rows = learner_rows(f)
    now = f.reference_time
    found = []
    for row in rows:
        if not row.learner.active:  # deactivated, or a deleted account's placeholder
            continue
        reasons = []
        if not row.started:
            reasons.append("has not started")
        elif len(row.completed) < len(catalogue.modules) and row.last_activity is not None:
            idle = (now - row.last_activity).days
            if idle >= stalled_days:
                reasons.append(
                    f"no activity for {idle} days (last on {row.last_activity:%Y-%m-%d}), "
                    f"with {len(row.completed)} of {len(catalogue.modules)} modules completed"
                )
        for quiz_id, cell in row.quizzes.items():
            quiz = catalogue.quiz(quiz_id)
            if quiz is not None and quiz.is_graded and cell.failed >= 2:
                since = "passed since" if cell.passed else "not passed yet"
                reasons.append(f"failed “{quiz.title}” {cell.failed} times ({since})")
        if reasons:
            found.append(Attention(row.learner, reasons, row.last_activity))
    return found


# ------------------------------------------------------------------------------ self-assessment


@dataclass
class ProfileDistribution:
    quiz: Quiz
    profile_id: str
    title: str
    kind: str
    learners: int
    shown: bool  # False when too few learners have a result to show without singling anyone out
    counts: list[dict[str, Any]] = field(default_factory=list)  # dominant: per trait
    grid: list[list[dict[str, Any]]] = field(default_factory=list)  # grid: rows of cells
    trust: list[dict[str, Any]] = field(default_factory=list)  # trust-formula: value buckets
    factors: list[dict[str, Any]] = field(default_factory=list)  # trust-formula: mean per factor
    focus: list[dict[str, Any]] = field(default_factory=list)  # trust-formula: what to work on


TRUST_BUCKETS = ((1, 20), (20, 40), (40, 60), (60, 80), (80, 100.01))


def self_assessment(f: ReportFilter) -> list[ProfileDistribution]:
    """The cohort's profile results (each learner's latest within the range), as counts only."""
    catalogue = get_catalogue()
    quizzes = [q for q in catalogue.quizzes.values() if q.profiles]
    if not quizzes:
        return []
    latest = (
        select(func.max(Attempt.id))
        .where(*f.attempts(), Attempt.quiz_id.in_([q.id for q in quizzes]))
        .group_by(Attempt.user_id, Attempt.quiz_id)
    )
    results: dict[str, list[dict]] = defaultdict(list)
    for quiz_id, profile in db.session.execute(
        select(Attempt.quiz_id, Attempt.profile).where(Attempt.id.in_(latest))
    ):
        if profile:
            results[quiz_id].append(profile)
    found = []
    for module in catalogue.modules:
        for quiz in (catalogue.quiz(q) for q in module.quizzes):
            if quiz is None or not quiz.profiles:
                continue
            for profile in quiz.profiles:
                values = [r[profile.id] for r in results.get(quiz.id, []) if r.get(profile.id)]
                entry = ProfileDistribution(
                    quiz,
                    profile.id,
                    profile.title,
                    profile.kind,
                    len(values),
                    len(values) >= MIN_GROUP,
                )
                if entry.shown:
                    _fill_distribution(entry, profile, values)
                found.append(entry)
    return found


def _fill_distribution(entry: ProfileDistribution, profile: Any, values: list[dict]) -> None:
    if profile.kind == "dominant":
        counts = Counter(t for v in values for t in v.get("traits", []))
        entry.counts = [
            {"id": t.id, "label": t.label, "learners": counts.get(t.id, 0)} for t in profile.traits
        ]
    elif profile.kind == "grid":
        counts = Counter((v.get("x"), v.get("y")) for v in values)
        entry.grid = [
            [
                {
                    "x": x,
                    "y": y,
                    "title": cell.title if cell else f"{x}/{y}",
                    "subtitle": cell.subtitle if cell else "",
                    "learners": counts.get((x, y), 0),
                }
                for x in ("negative", "positive")
                for cell in [profile.cell(x, y)]
            ]
            for y in ("positive", "negative")
        ]
        entry.counts = [c for row in entry.grid for c in row]
    elif profile.kind == "trust-formula":
        for low, high in TRUST_BUCKETS:
            entry.trust.append(
                {
                    "label": f"{low}–{min(high, 100):.0f}",
                    "learners": sum(1 for v in values if low <= float(v.get("trust", 0)) < high),
                }
            )
        for trait in profile.traits:
            scores = [
                float(v["scores"][trait.id]) for v in values if trait.id in v.get("scores", {})
            ]
            entry.factors.append(
                {
                    "id": trait.id,
                    "label": trait.label,
                    "mean": round(sum(scores) / len(scores), 1) if scores else None,
                }
            )
        focus = Counter(v.get("focus") for v in values if v.get("focus"))
        entry.focus = [
            {"id": t.id, "label": t.label, "learners": focus.get(t.id, 0)} for t in profile.traits
        ]


# ------------------------------------------------------------------------------ one learner


@dataclass(frozen=True)
class AnswerView:
    question_id: str
    prompt: str
    kind: str | None
    selected: list[tuple[str, str]]  # (option id, text as the learner saw it today)
    correct: bool | None
    current_version: bool
    question_version: str
    right_answer: list[str]


@dataclass(frozen=True)
class AttemptView:
    attempt: Attempt
    quiz_title: str
    number: int  # 1 for the learner's first attempt at this quiz
    seconds: int | None  # time taken, when the start is known
    answers: list[AnswerView]


def learner_attempts(f: ReportFilter, user_id: int) -> list[AttemptView]:
    """Every attempt of the learner within the range, newest first, with every answer."""
    catalogue = get_catalogue()
    conditions = [Attempt.user_id == user_id, *f._in_range(Attempt.submitted_at)]
    attempts = db.session.scalars(
        select(Attempt)
        .where(*conditions)
        .options(selectinload(Attempt.answers))
        .order_by(Attempt.submitted_at, Attempt.id)
    ).all()
    numbers: Counter = Counter()
    views = []
    for attempt in attempts:
        numbers[attempt.quiz_id] += 1
        quiz = catalogue.quiz(attempt.quiz_id)
        answers = []
        for answer in attempt.answers:
            question = quiz.question(answer.question_id) if quiz else None
            texts = {o.id: o.text for o in question.options} if question else {}
            answers.append(
                AnswerView(
                    question_id=answer.question_id,
                    prompt=question.prompt if question else answer.question_id,
                    kind=question.kind if question else None,
                    selected=[(o, texts.get(o, o)) for o in answer.selected],
                    correct=answer.correct,
                    current_version=question is not None
                    and question.version == answer.question_version,
                    question_version=answer.question_version,
                    right_answer=[
                        texts.get(o, o)
                        for o in (
                            question.correct_option_ids if question and question.graded else []
                        )
                    ],
                )
            )
        seconds = (
            int((attempt.submitted_at - attempt.started_at).total_seconds())
            if attempt.started_at
            else None
        )
        views.append(
            AttemptView(
                attempt,
                quiz.title if quiz else attempt.quiz_id,
                numbers[attempt.quiz_id],
                seconds,
                answers,
            )
        )
    views.reverse()
    return views


def learner_json(user: User, views: list[AttemptView]) -> dict[str, Any]:
    """A learner's attempts with every answer, as GET /api/v1/cohorts/{id}/learners/{id} says."""
    return {
        "learner": {"id": user.id, "name": user.name, "email": user.email},
        "attempts": [
            {
                "id": v.attempt.id,
                "quiz_id": v.attempt.quiz_id,
                "number": v.number,
                "score": v.attempt.score,
                "max_score": v.attempt.max_score,
                "passed": v.attempt.passed,
                "started_at": v.attempt.started_at.isoformat() + "Z"
                if v.attempt.started_at
                else None,
                "submitted_at": v.attempt.submitted_at.isoformat() + "Z",
                "seconds": v.seconds,
                "answers": [
                    {
                        "question_id": a.question_id,
                        "question_version": a.question_version,
                        "current_version": a.current_version,
                        "selected": [option_id for option_id, _ in a.selected],
                        "correct": a.correct,
                    }
                    for a in v.answers
                ],
            }
            for v in views
        ],
    }


def answer_rows(f: ReportFilter) -> Iterator[tuple]:
    """Every answer of the cohort's learners within the range, streamed for the CSV export:
    (user id, name, email, attempt id, quiz id, submitted_at, question id, version, selected,
    correct)."""
    statement = (
        select(
            User.id,
            User.name,
            User.email,
            Attempt.id,
            Attempt.quiz_id,
            Attempt.submitted_at,
            Answer.question_id,
            Answer.question_version,
            Answer.selected,
            Answer.correct,
        )
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(User, User.id == Attempt.user_id)
        .where(*f.attempts())
        .order_by(User.name, User.id, Attempt.submitted_at, Attempt.id, Answer.position)
        .execution_options(yield_per=2000)
    )
    yield from db.session.execute(statement)
