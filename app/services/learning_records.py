"""What follows a stored lesson read or attempt: its xAPI statements and, when the learner has
now completed the course, their certificate. Called by the progress and attempts services inside
their own transaction, so the records are committed with the thing they record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.content import Module
from app.models import Attempt
from app.services import certificates, xapi
from app.services.catalogue import get_catalogue


def lesson_first_read(user_id: int, module: Module, lesson_id: str, when: datetime) -> None:
    xapi.lesson_experienced(user_id, module, lesson_id, when)
    _completion(user_id)


def attempt_stored(attempt: Attempt, answers: Sequence[xapi.GradedAnswerLike]) -> None:
    catalogue = get_catalogue()
    xapi.attempt_submitted(attempt, catalogue.quiz(attempt.quiz_id), answers)
    course = catalogue.course
    if course is not None and course.completion.may_be_met_by_attempt(
        attempt.quiz_id, attempt.passed
    ):
        _completion(attempt.user_id)


def _completion(user_id: int) -> None:
    certificate = certificates.issue_if_complete(user_id)
    if certificate is not None:
        xapi.course_completed(certificate)
