"""When a module counts as completed: one rule, for a learner's own page and for the reports."""

from __future__ import annotations

from collections.abc import Iterable

from app.content import Module
from app.services.catalogue import get_catalogue


def is_module_complete(
    module: Module, lessons_read: Iterable[str], passed_quizzes: Iterable[str]
) -> bool:
    """The one rule: every lesson read and every graded quiz passed."""
    catalogue = get_catalogue()
    read, passed = set(lessons_read), set(passed_quizzes)
    return all(lesson.id in read for lesson in module.lessons) and all(
        quiz.id in passed for quiz in catalogue.quizzes_of(module) if quiz.is_graded
    )
