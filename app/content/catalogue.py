"""The catalogue: every module and quiz, validated, rendered and frozen for the app to serve."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from app.content.course import Course
from app.content.rendering import grid_references, render_grid_figure, render_markdown
from app.content.schema import Lesson, Module, Question, Quiz
from app.content.sources import SourceFile


@dataclass(frozen=True)
class Catalogue:
    """Every module and quiz, validated and ready to serve; never changes after loading."""

    modules: tuple[Module, ...]
    quizzes: MappingProxyType[str, Quiz]
    module_of_quiz: MappingProxyType[str, str]
    version: str
    _modules_by_id: MappingProxyType[str, Module] = field(repr=False)
    course: Course | None = None  # course.yaml: title, version, completion rules

    def module(self, module_id: str) -> Module | None:
        return self._modules_by_id.get(module_id)

    def quiz(self, quiz_id: str) -> Quiz | None:
        return self.quizzes.get(quiz_id)

    def lesson_with_widget(self, widget: str) -> tuple[Module, Lesson] | None:
        """The first lesson that shows this widget, with its module."""
        return next(
            ((m, lesson) for m in self.modules for lesson in m.lessons if lesson.widget == widget),
            None,
        )

    def quizzes_of(self, module: Module) -> list[Quiz]:
        return [self.quizzes[quiz_id] for quiz_id in module.quizzes]

    def pre_test_for(self, quiz_id: str) -> Quiz | None:
        """The pre-test that checks this quiz's concepts before the lessons, if there is one."""
        return next((q for q in self.quizzes.values() if q.pre_test_of == quiz_id), None)

    def pre_tests_of(self, module: Module) -> list[Quiz]:
        return [quiz for quiz in self.quizzes_of(module) if quiz.is_pre_test]

    def concept_title(self, concept_id: str) -> str:
        concept = self.course.concept(concept_id) if self.course else None
        return concept.title if concept else concept_id

    def summary(self) -> str:
        lessons = sum(len(m.lessons) for m in self.modules)
        questions = sum(len(q.questions) for q in self.quizzes.values())
        return (
            f"content OK: {len(self.modules)} modules, {lessons} lessons, "
            f"{len(self.quizzes)} quizzes, {questions} questions (version {self.version})"
        )


def _fingerprint(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _question_version(question: Question) -> str:
    return _fingerprint(
        {
            "kind": question.kind,
            "prompt": question.prompt,
            "options": [
                {"id": o.id, "text": o.text, "correct": o.correct, "weights": o.weights}
                for o in question.options
            ],
            "correct_order": question.correct_order,
            # Only when partial, so that the versions of every other question stay as they were.
            **({"scoring": "partial"} if question.scoring == "partial" else {}),
        }
    )[:16]


def build_catalogue(modules: list[SourceFile], quizzes: dict[str, SourceFile]) -> Catalogue:
    quiz_models = {quiz_id: source.model for quiz_id, source in quizzes.items()}
    for quiz in quiz_models.values():
        quiz._intro_html = render_markdown(quiz.intro) if quiz.intro else ""
        for question in quiz.questions:
            question._version = _question_version(question)
            question._explanation_html = render_markdown(question.explanation)
        for profile in quiz.profiles:
            for cell in profile.cells or []:
                cell._advice_html = render_markdown(cell.advice) if cell.advice else ""
        quiz._version = _fingerprint(
            {"pass_mark": quiz.pass_mark, "questions": [q.version for q in quiz.questions]}
        )[:16]
    ordered = sorted((source.model for source in modules), key=lambda m: m.position)
    for module in ordered:
        for lesson in module.lessons:
            _render_lesson(lesson, quiz_models)
    module_of_quiz = {quiz_id: m.id for m in ordered for quiz_id in m.quizzes}
    version = _fingerprint(
        {
            "modules": [m.model_dump(mode="json") for m in ordered],
            "quizzes": {q.id: q.version for q in quiz_models.values()},
        }
    )[:16]
    return Catalogue(
        modules=tuple(ordered),
        quizzes=MappingProxyType(quiz_models),
        module_of_quiz=MappingProxyType(module_of_quiz),
        version=version,
        _modules_by_id=MappingProxyType({m.id: m for m in ordered}),
    )


def _render_lesson(lesson: Lesson, quizzes: dict[str, Quiz]) -> None:
    figures = []
    for _, ref in grid_references(lesson.body):
        quiz_id, _, profile_id = ref.partition("/")
        profile = next(p for p in quizzes[quiz_id].profiles if p.id == profile_id)
        figures.append(render_grid_figure(profile))
    lesson._html = render_markdown(lesson.body, figures)
