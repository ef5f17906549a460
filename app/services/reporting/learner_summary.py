"""One learner at a glance, for the top of the drill-down and its API: lessons read, modules
completed, the best score in each graded quiz (the progress matrix's own figures, read for one
person), the latest profile results, the certificate, and the learners before and after them in
the cohort's order. Computed live."""

from __future__ import annotations

from dataclasses import dataclass

from app.content import Module, Quiz
from app.services.catalogue import get_catalogue
from app.services.reporting.certificates import HeldCertificate
from app.services.reporting.common import ReportFilter
from app.services.reporting.learner_profiles import LearnerProfile, latest_profiles
from app.services.reporting.learners import LearnerRef, by_name_key, cohort_learners
from app.services.reporting.matrix import LearnerRow, QuizCell, learner_rows, matrix_columns


@dataclass(frozen=True)
class QuizBest:
    """A graded quiz and the learner's best in it (no cell: not taken in the range)."""

    quiz: Quiz
    cell: QuizCell | None

    @property
    def passed(self) -> bool:
        return bool(self.cell and self.cell.passed)


@dataclass(frozen=True)
class LearnerSummary:
    row: LearnerRow
    modules: list[Module]
    quizzes: list[QuizBest]  # every graded quiz of the course, in course order
    profiles: list[LearnerProfile]  # the latest result of each profile, in course order
    previous: LearnerRef | None  # the learner before, in the cohort's order by name
    next: LearnerRef | None
    position: int  # 1 for the first learner of the cohort
    learners: int  # how many the cohort has

    @property
    def lessons_read(self) -> int:
        return sum(self.row.lessons.values())

    @property
    def lessons_total(self) -> int:
        return sum(len(module.lessons) for module in self.modules)

    @property
    def modules_completed(self) -> int:
        return len(self.row.completed)

    @property
    def certificate(self) -> HeldCertificate | None:
        return self.row.certificate


def learner_summary(f: ReportFilter, user_id: int) -> LearnerSummary | None:
    """The learner's summary, or None when they are not a learner of the cohort."""
    learners = sorted(cohort_learners(f), key=by_name_key)
    index = next((i for i, learner in enumerate(learners) if learner.id == user_id), None)
    if index is None:
        return None
    [row] = learner_rows(f, only=learners[index])
    quizzes = [q for group in matrix_columns() for q in group.quizzes]
    return LearnerSummary(
        row=row,
        modules=list(get_catalogue().modules),
        quizzes=[QuizBest(quiz, row.quizzes.get(quiz.id)) for quiz in quizzes],
        profiles=latest_profiles(f, user_id).get(user_id, []),
        previous=learners[index - 1] if index > 0 else None,
        next=learners[index + 1] if index + 1 < len(learners) else None,
        position=index + 1,
        learners=len(learners),
    )
