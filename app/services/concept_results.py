"""A learner's own result per concept after a quiz: strong on some, revisit others, each with
the lesson that teaches it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.content import Quiz
from app.services.catalogue import get_catalogue
from app.services.results import AttemptResult

STRONG = 2 / 3  # at least two thirds right on a concept's questions


@dataclass(frozen=True)
class ConceptResult:
    concept_id: str
    title: str
    module_id: str
    lesson_id: str
    lesson_title: str
    right: int
    answered: int

    @property
    def strong(self) -> bool:
        return self.right >= STRONG * self.answered


def concept_results(quiz: Quiz, answers: Iterable[tuple[str, bool | None]]) -> list[ConceptResult]:
    """Per concept the quiz's marked answers (question id, right) test, in the course's order of
    concepts; [] when the course declares none."""
    catalogue = get_catalogue()
    if catalogue.course is None:
        return []
    counts: dict[str, list[int]] = {}
    for question_id, correct in answers:
        question = quiz.question(question_id)
        if question is None or correct is None:
            continue
        for concept in question.concepts:
            entry = counts.setdefault(concept, [0, 0])
            entry[0] += int(correct)
            entry[1] += 1
    results = []
    for concept in catalogue.course.concepts:
        if concept.id not in counts:
            continue
        module_id, _, lesson_id = concept.lesson.partition("/")
        module = catalogue.module(module_id)
        lesson = module.lesson(lesson_id) if module else None
        results.append(
            ConceptResult(
                concept.id,
                concept.title,
                module_id,
                lesson_id,
                lesson.title if lesson else lesson_id,
                *counts[concept.id],
            )
        )
    return results


def attempt_concepts(result: AttemptResult) -> list[ConceptResult]:
    """The per-concept result of one attempt, as its result page shows it ([] when its quiz is
    no longer in the course)."""
    quiz = get_catalogue().quiz(result.quiz_id)
    if quiz is None:
        return []
    return concept_results(quiz, [(q.id, q.correct) for q in result.questions])
