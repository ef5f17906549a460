"""Checks across content files: unique ids, links between modules and quizzes, Markdown."""

from __future__ import annotations

from collections.abc import Iterable

from app.content.rendering import grid_references, markdown_problems
from app.content.schema import Module, Quiz
from app.content.sources import ContentProblem, SourceFile, line_of, text_start


def check_ids(sources: list[SourceFile], noun: str) -> list[ContentProblem]:
    problems, first_seen = [], {}
    for source in sources:
        if source.model is None:
            continue
        model_id = source.model.id
        if model_id in first_seen:
            other = first_seen[model_id]
            problems.append(
                ContentProblem(
                    source.path,
                    line_of(source.tree, ("id",)),
                    f"{noun} id '{model_id}' is already used by {other.path}",
                )
            )
        else:
            first_seen[model_id] = source
    return problems


def check_links(modules: list[SourceFile], quizzes: dict[str, SourceFile]) -> list[ContentProblem]:
    """Module positions, the quizzes each module lists, and the grid figures lessons draw."""
    return (
        _check_positions(modules)
        + _check_quiz_lists(modules, quizzes)
        + _check_figures(modules, quizzes)
    )


def _check_positions(modules: list[SourceFile]) -> list[ContentProblem]:
    problems, positions = [], {}
    for source in modules:
        module = source.model
        if module.position in positions:
            problems.append(
                ContentProblem(
                    source.path,
                    line_of(source.tree, ("position",)),
                    f"position {module.position} is also used by {positions[module.position]}",
                )
            )
        positions.setdefault(module.position, source.path)
    return problems


def _check_quiz_lists(
    modules: list[SourceFile], quizzes: dict[str, SourceFile]
) -> list[ContentProblem]:
    problems, used_by = [], {}
    for source in modules:
        for index, quiz_id in enumerate(source.model.quizzes):
            line = line_of(source.tree, ("quizzes", index))
            if quiz_id not in quizzes:
                known = ", ".join(sorted(quizzes)) or "none"
                problems.append(
                    ContentProblem(
                        source.path,
                        line,
                        f"quiz '{quiz_id}' does not exist (known quizzes: {known})",
                    )
                )
            elif quiz_id in used_by:
                problems.append(
                    ContentProblem(
                        source.path, line, f"quiz '{quiz_id}' already belongs to {used_by[quiz_id]}"
                    )
                )
            else:
                used_by[quiz_id] = source.path
    for quiz_id, source in quizzes.items():
        if modules and quiz_id not in used_by and source.model is not None:
            problems.append(
                ContentProblem(
                    source.path,
                    line_of(source.tree, ("id",)),
                    f"quiz '{quiz_id}' is not listed in any module's `quizzes`, so nobody can take it",
                )
            )
    return problems


def _check_figures(
    modules: list[SourceFile], quizzes: dict[str, SourceFile]
) -> list[ContentProblem]:
    problems = []
    for source in modules:
        for index, lesson in enumerate(source.model.lessons):
            for line, ref in grid_references(lesson.body):
                quiz_id, _, profile_id = ref.partition("/")
                quiz = quizzes.get(quiz_id)
                if quiz is not None and quiz.model is None:
                    continue  # that quiz's own problems are reported already
                profiles = quiz.model.profiles if quiz else []
                profile = next((p for p in profiles if p.id == profile_id), None)
                if profile is None or profile.kind != "grid":
                    start = text_start(source.tree, ("lessons", index, "body"))
                    problems.append(
                        ContentProblem(
                            source.path,
                            start + line + 1,
                            f"grid figure '{ref}' names no grid profile (write quiz-id/profile-id)",
                        )
                    )
    return problems


def _markdown_fields(source: SourceFile) -> Iterable[tuple[tuple, str]]:
    model = source.model
    if isinstance(model, Module):
        for index, lesson in enumerate(model.lessons):
            yield ("lessons", index, "body"), lesson.body
    elif isinstance(model, Quiz):
        if model.intro:
            yield ("intro",), model.intro
        for index, question in enumerate(model.questions):
            yield ("questions", index, "explanation"), question.explanation
        for p_index, profile in enumerate(model.profiles):
            for c_index, cell in enumerate(profile.cells or []):
                if cell.advice:
                    yield ("profiles", p_index, "cells", c_index, "advice"), cell.advice


def check_markdown(sources: dict[str, list[SourceFile]]) -> list[ContentProblem]:
    problems = []
    for source in sources["modules"] + sources["quizzes"]:
        if source.model is None:
            continue
        for loc, text in _markdown_fields(source):
            for problem in markdown_problems(text):
                start = text_start(source.tree, loc)
                problems.append(
                    ContentProblem(source.path, start + problem.line + 1, problem.message)
                )
    return problems
