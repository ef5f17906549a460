"""SQLAlchemy models. Lessons and quizzes are not tables: rows refer to content by its YAML ids."""

from app.models.cohort import Cohort, CohortInvitation, CohortMember
from app.models.decision import DECISIONS, ContentDecision
from app.models.learning import Answer, Attempt, LessonRead
from app.models.question_version import QuestionVersion
from app.models.record import Certificate, XapiStatement
from app.models.summary import (
    CohortConcept,
    CohortOption,
    CohortProgress,
    CohortQuestion,
    CohortQuizScore,
    CohortWeek,
    LearnerConcept,
    LearnerProgress,
    LearnerQuiz,
    LearnerWeek,
    SummaryState,
)
from app.models.user import ApiToken, PasswordReset, User, UserInvite, utcnow

__all__ = [
    "Answer",
    "ApiToken",
    "Attempt",
    "Certificate",
    "Cohort",
    "CohortInvitation",
    "ContentDecision",
    "DECISIONS",
    "CohortMember",
    "CohortConcept",
    "CohortOption",
    "CohortProgress",
    "CohortQuestion",
    "CohortQuizScore",
    "CohortWeek",
    "LearnerConcept",
    "LearnerProgress",
    "LearnerQuiz",
    "LearnerWeek",
    "LessonRead",
    "PasswordReset",
    "QuestionVersion",
    "SummaryState",
    "User",
    "UserInvite",
    "XapiStatement",
    "utcnow",
]
