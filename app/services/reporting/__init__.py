"""Cohort reports, one module per figure.

Each figure that has a summary table owns its live query, the amounts its hook adds as learners
work, and its rebuild: module_progress, quiz_scores, item_analysis (item_stats holds the
figures it finishes), weekly_activity. The others are computed live only: profiles
(self-assessments), learners (the drill-down and the answers' CSV rows), learner_summary (the
top of the drill-down), learner_profiles (each learner's own profile results), matrix (the progress
matrix) and attention (who needs a trainer's attention, read off the matrix). common holds what
they share; report puts the cohort report together; hooks is what other services call when
learners act, and the rebuild.
"""

from app.services.reporting.attention import (
    STALLED_DAYS,
    Attention,
    AttentionList,
    attention_list,
    needs_attention,
)
from app.services.reporting.certificates import (
    CertificateCounts,
    HeldCertificate,
    learner_certificate,
)
from app.services.reporting.common import ReportFilter, ReportFilterError
from app.services.reporting.decisions import DecisionNote, decision_notes
from app.services.reporting.item_stats import (
    EASY,
    FLAG_MIN_ANSWERS,
    HARD,
    OptionCount,
    QuestionStats,
    pearson,
)
from app.services.reporting.learner_profiles import (
    LearnerProfile,
    latest_profiles,
    profile_kinds,
)
from app.services.reporting.learner_summary import LearnerSummary, QuizBest, learner_summary
from app.services.reporting.learners import (
    AnswerView,
    AttemptView,
    LearnerRef,
    answer_rows,
    by_name_key,
    cohort_learners,
    learner_attempts,
    learners_json_text,
)
from app.services.reporting.learning_gain import MIN_LEARNERS, ConceptGain, learning_gain
from app.services.reporting.matrix import (
    LearnerRow,
    ModuleColumns,
    QuizCell,
    learner_rows,
    matrix_columns,
    sort_rows,
)
from app.services.reporting.module_progress import ModuleStats, progress_basis
from app.services.reporting.profiles import MIN_GROUP, ProfileDistribution, self_assessment
from app.services.reporting.quiz_scores import QuizStats
from app.services.reporting.report import CohortReport, cohort_report

__all__ = [
    "EASY",
    "FLAG_MIN_ANSWERS",
    "HARD",
    "MIN_GROUP",
    "MIN_LEARNERS",
    "STALLED_DAYS",
    "AnswerView",
    "Attention",
    "AttentionList",
    "AttemptView",
    "CertificateCounts",
    "CohortReport",
    "ConceptGain",
    "DecisionNote",
    "HeldCertificate",
    "LearnerProfile",
    "LearnerRef",
    "LearnerSummary",
    "QuizBest",
    "ModuleColumns",
    "LearnerRow",
    "ModuleStats",
    "OptionCount",
    "ProfileDistribution",
    "QuestionStats",
    "QuizCell",
    "QuizStats",
    "ReportFilter",
    "ReportFilterError",
    "answer_rows",
    "by_name_key",
    "attention_list",
    "cohort_learners",
    "cohort_report",
    "decision_notes",
    "learner_attempts",
    "latest_profiles",
    "learner_certificate",
    "learner_summary",
    "profile_kinds",
    "learner_rows",
    "learning_gain",
    "matrix_columns",
    "learners_json_text",
    "needs_attention",
    "pearson",
    "progress_basis",
    "self_assessment",
    "sort_rows",
]
