"""The cohort report: every figure's module put together, live for a date range and from the
summary tables for the open range (the one trainers open most), with a short-lived cache.

Every figure takes one ReportFilter: only lessons opened and quizzes submitted within the range
count, for every figure alike. Reading a report never writes: when the course's modules changed
since the summaries were judged, module progress is counted live until the summaries are
rebuilt from the command line.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import func, select, text

from app.extensions import db
from app.models import Attempt, Cohort, CohortMember, LessonRead
from app.services.catalogue import get_catalogue
from app.services.reporting import item_analysis, module_progress, quiz_scores, weekly_activity
from app.services.reporting.certificates import (
    CertificateCounts,
    HeldCertificate,
    certificate_counts,
    certificates_by_learner,
    counts_of,
)
from app.services.reporting.common import ReportFilter, dialect
from app.services.reporting.decisions import DecisionNote, decision_notes, decisions_version
from app.services.reporting.learners import LearnerRef, cohort_learners, learner_count
from app.services.reporting.learning_gain import ConceptGain, learning_gain
from app.services.reporting.module_progress import ModuleStats, ProgressFigures
from app.services.reporting.quiz_scores import QuizStats

log = logging.getLogger(__name__)


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
    certificates: CertificateCounts  # live, never cached: a revocation shows at once
    held: dict[int, HeldCertificate]  # by learner id; empty without the learners
    gain: list[ConceptGain] = field(default_factory=list)  # live, per concept
    decisions: list[DecisionNote] = field(default_factory=list)  # footnotes: live, never cached


@dataclass(frozen=True)
class _Figures:
    progress: ProgressFigures
    quizzes: list[QuizStats]
    activity: list[dict[str, Any]]
    gain: list[ConceptGain]


def _roomy_sorts() -> None:
    """On PostgreSQL, let this transaction's aggregations hash in memory instead of sorting on
    disk (the default 4 MB work_mem is far too small for a large cohort's answers)."""
    if dialect() == "postgresql":
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))


def _in_course_order(stats: dict[str, QuizStats], items: dict | None) -> list[QuizStats]:
    for quiz_id, questions in (items or {}).items():
        if quiz_id in stats:
            stats[quiz_id].questions = [q for q in questions if q.current]
            stats[quiz_id].older = [q for q in questions if not q.current]
    return [stats[q] for m in get_catalogue().modules for q in m.quizzes if q in stats]


def _live_figures(f: ReportFilter, with_items: bool) -> _Figures:
    _roomy_sorts()
    progress = module_progress.live_figures(f)
    items = item_analysis.live_items(f) if with_items else None
    quizzes = _in_course_order(quiz_scores.live_stats(f), items)
    return _Figures(progress, quizzes, weekly_activity.live_activity(f), learning_gain(f))


def _summary_figures(f: ReportFilter, with_items: bool) -> _Figures:
    """The open-range figures, read from the cohort's summary tables (app/models/summary.py):
    a few rows per module, quiz, question and week, whatever the number of learners."""
    cohort_id = f.cohort_id
    if module_progress.summaries_follow_the_course():
        progress = module_progress.summary_figures(cohort_id)
    else:
        log.warning(
            "The course's modules changed since the report summaries were computed: module "
            "progress is counted live until `flask --app run cohorts rebuild-summaries` runs."
        )
        progress = module_progress.live_figures(f)
    items = item_analysis.summary_items(cohort_id) if with_items else None
    quizzes = _in_course_order(quiz_scores.summary_stats(cohort_id), items)
    activity = weekly_activity.summary_activity(cohort_id)
    return _Figures(progress, quizzes, activity, learning_gain(f))


def cohort_report(
    f: ReportFilter, with_items: bool = True, with_learners: bool = True
) -> CohortReport:
    """The cohort's overview: the figures of the API's report, plus activity over time.

    Without a date range the figures come from the summary tables; with one they are computed
    from the rows in the range. `with_learners=False` leaves `learners` and `held` empty (pages that only
    show how many there are need not load them all); `learner_count` is always set.
    """
    cohort = db.session.get(Cohort, f.cohort_id)
    learners = cohort_learners(f) if with_learners else []
    held = certificates_by_learner(f) if with_learners else {}
    count = len(learners) if with_learners else learner_count(f)
    compute = _summary_figures if f.is_open else _live_figures
    figures = cached(("report", with_items), f, lambda: compute(f, with_items))
    return CohortReport(
        cohort=cohort,
        filter=f,
        learners=learners,
        learner_count=count,
        modules=figures.progress.modules,
        quizzes=figures.quizzes,
        activity=figures.activity,
        not_started=count - figures.progress.started,
        completed_all=figures.progress.completed_all,
        certificates=counts_of(held) if with_learners else certificate_counts(f),
        held=held,
        gain=figures.gain,
        decisions=decision_notes(),
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
            *decisions_version(),
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
