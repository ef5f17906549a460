"""Each learner's own self-assessment results: the latest result of every profile the course's
self-assessments define, from attempts made since joining the cohort and within the range (a
result is read off answers, and trainers see answers from the day a learner joins). Computed
live. The drill-down shows one learner's; learners.csv has everyone's."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.content import Profile, Quiz
from app.extensions import db
from app.models import Attempt
from app.services.catalogue import get_catalogue
from app.services.reporting.common import ReportFilter
from app.services.reporting.learners import since_joining
from app.services.results import ProfileResult, describe_profiles


@dataclass(frozen=True)
class LearnerProfile:
    """One of a learner's profile results, as a cohort page names it."""

    quiz: Quiz
    result: ProfileResult
    submitted_at: datetime

    @property
    def title(self) -> str:
        return self.result.profile.title_for_cohort


def profile_kinds() -> list[tuple[Quiz, Profile]]:
    """Every profile of the course's self-assessments, in course order."""
    catalogue = get_catalogue()
    found = []
    for module in catalogue.modules:
        for quiz in (catalogue.quiz(quiz_id) for quiz_id in module.quizzes):
            if quiz is not None:
                found += [(quiz, profile) for profile in quiz.profiles]
    return found


def latest_profiles(f: ReportFilter, user_id: int | None = None) -> dict[int, list[LearnerProfile]]:
    """By learner (or for `user_id` alone): the latest result of each profile, in course order
    (two queries at most: the latest attempt of each self-assessment, then its results)."""
    quizzes = {quiz.id: quiz for quiz, _ in profile_kinds()}
    if not quizzes:
        return {}
    one = [Attempt.user_id == user_id] if user_id is not None else []
    latest = (
        select(func.max(Attempt.id))
        .where(*f.attempts(), since_joining(f), Attempt.quiz_id.in_(list(quizzes)), *one)
        .group_by(Attempt.user_id, Attempt.quiz_id)
    )
    found: dict[int, dict[str, list[LearnerProfile]]] = defaultdict(dict)
    for learner_id, quiz_id, stored, submitted_at in db.session.execute(
        select(Attempt.user_id, Attempt.quiz_id, Attempt.profile, Attempt.submitted_at).where(
            Attempt.id.in_(latest)
        )
    ):
        quiz = quizzes[quiz_id]
        found[learner_id][quiz_id] = [
            LearnerProfile(quiz, result, submitted_at) for result in describe_profiles(quiz, stored)
        ]
    order = list(quizzes)
    return {
        learner_id: [p for quiz_id in order for p in by_quiz.get(quiz_id, [])]
        for learner_id, by_quiz in found.items()
    }
