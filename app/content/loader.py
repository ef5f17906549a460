"""Reading content files into a validated, frozen catalogue, with every problem at path:line."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from app.content.catalogue import Catalogue, build_catalogue
from app.content.checks import check_ids, check_links, check_markdown
from app.content.concepts import check_concepts
from app.content.course import read_course
from app.content.schema import Module, Quiz
from app.content.sources import (
    ContentError,
    ContentProblem,
    SourceFile,
    collect_files,
    read_yaml,
    validate,
)

__all__ = ["Catalogue", "ContentError", "ContentProblem", "load_catalogue"]


def load_catalogue(content_dir: Path | str) -> Catalogue:
    """Read, validate and render all content under content_dir, or raise ContentError."""
    content_dir = Path(content_dir)
    try:
        return _load(content_dir, careful=False)
    except ContentError:
        # Read again with every node's line, so that each problem is reported at path:line.
        return _load(content_dir, careful=True)


def _load(content_dir: Path, careful: bool) -> Catalogue:
    problems: list[ContentProblem] = []
    sources: dict[str, list[SourceFile]] = {"modules": [], "quizzes": []}
    for folder, model in (("modules", Module), ("quizzes", Quiz)):
        files, missing = collect_files(content_dir, folder)
        problems += missing
        for path in files:
            shown = f"{folder}/{path.name}"
            tree, read_problems = read_yaml(path, shown, careful)
            problems += read_problems
            if tree is None:
                continue
            source = SourceFile(shown, tree)
            problems += validate(source, model)
            sources[folder].append(source)

    problems += check_ids(sources["modules"], "module")
    problems += check_ids(sources["quizzes"], "quiz")
    modules = [s for s in sources["modules"] if s.model is not None]
    quizzes = {s.model.id: s for s in sources["quizzes"] if s.model is not None}
    # A quiz file that failed validation still names its id: do not also call it missing.
    named_quizzes = {
        str(s.tree["id"]): s for s in sources["quizzes"] if isinstance(s.tree.get("id"), str)
    }
    problems += check_links(modules, {**named_quizzes, **quizzes})
    problems += check_markdown(sources)
    course, course_source, course_problems = read_course(
        content_dir, careful, {quiz_id: s.model for quiz_id, s in quizzes.items()}
    )
    problems += course_problems
    if not course_problems:
        problems += check_concepts(course_source, modules, quizzes)
    if problems:
        raise ContentError(problems)
    return dataclasses.replace(build_catalogue(modules, quizzes), course=course)
