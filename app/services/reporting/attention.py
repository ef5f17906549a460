"""Who needs a trainer's attention, most urgent first, read off the progress matrix."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.services.catalogue import get_catalogue
from app.services.reporting.common import ReportFilter
from app.services.reporting.learners import LearnerRef
from app.services.reporting.matrix import LearnerRow, learner_rows

STALLED_DAYS = 14

# Lower is more urgent: a learner failing a quiz right now needs help before one who went quiet,
# and one who went quiet before one who has not begun.
FAILING, STALLED, NOT_STARTED = 1, 2, 3
URGENCY_WORDS = {
    FAILING: "failing a quiz",
    STALLED: "stalled",
    NOT_STARTED: "not started",
}


@dataclass(frozen=True)
class Attention:
    """A learner and why they are listed: open reasons in words, and resolved ones (a quiz failed
    twice and passed since) that only need a glance."""

    learner: LearnerRef
    reasons: list[str]
    last_activity: datetime | None
    urgency: int = NOT_STARTED
    weight: int = 0  # within one urgency: days idle or failures, the larger the sooner
    resolved: list[str] = field(default_factory=list)

    @property
    def urgency_words(self) -> str:
        return URGENCY_WORDS[self.urgency]


@dataclass(frozen=True)
class AttentionList:
    open: list[Attention]  # most urgent first
    resolved: list[Attention]  # learners whose only concerns are resolved, by name
    stalled_days: int


def attention_list(f: ReportFilter, stalled_days: int = STALLED_DAYS) -> AttentionList:
    """Active learners who are failing a graded quiz (twice or more, not passed yet), stalled for
    `stalled_days` before finishing, or have not started; most urgent first. Learners who failed
    twice but passed since are listed apart, as resolved."""
    open_cases, resolved = [], []
    for row in learner_rows(f):
        if not row.learner.active:  # deactivated, or a deleted account's placeholder
            continue
        case = _concerns(row, f.reference_time, stalled_days)
        if case.reasons:
            open_cases.append(case)
        elif case.resolved:
            resolved.append(case)
    open_cases.sort(key=lambda a: (a.urgency, -a.weight, a.learner.name.casefold()))
    resolved.sort(key=lambda a: a.learner.name.casefold())
    return AttentionList(open_cases, resolved, stalled_days)


def needs_attention(f: ReportFilter, stalled_days: int = STALLED_DAYS) -> list[Attention]:
    """The open cases of `attention_list`, most urgent first."""
    return attention_list(f, stalled_days).open


def _concerns(row: LearnerRow, now: datetime, stalled_days: int) -> Attention:
    catalogue = get_catalogue()
    reasons: list[tuple[int, int, str]] = []
    resolved = []
    if not row.started:
        reasons.append((NOT_STARTED, 0, "has not started"))
    elif len(row.completed) < len(catalogue.modules) and row.last_activity is not None:
        idle = (now - row.last_activity).days
        if idle >= stalled_days:
            reasons.append(
                (
                    STALLED,
                    idle,
                    f"no activity for {idle} days (last on {row.last_activity:%Y-%m-%d}), "
                    f"with {len(row.completed)} of {len(catalogue.modules)} modules completed",
                )
            )
    for quiz_id, cell in row.quizzes.items():
        quiz = catalogue.quiz(quiz_id)
        if quiz is None or not quiz.is_graded or cell.failed < 2:
            continue
        if cell.passed:
            resolved.append(f"failed “{quiz.title}” {cell.failed} times (passed since)")
        else:
            reasons.append(
                (
                    FAILING,
                    cell.failed,
                    f"failed “{quiz.title}” {cell.failed} times (not passed yet)",
                )
            )
    reasons.sort(key=lambda r: (r[0], -r[1]))
    urgency, weight = (reasons[0][0], reasons[0][1]) if reasons else (NOT_STARTED, 0)
    return Attention(
        row.learner,
        [text for _, _, text in reasons],
        row.last_activity,
        urgency,
        weight,
        resolved,
    )
