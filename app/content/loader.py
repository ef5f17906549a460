"""Reading content files into a validated, frozen catalogue, with every problem at path:line."""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from app.content.course import Course, read_course
from app.content.rendering import (
    grid_references,
    markdown_problems,
    render_grid_figure,
    render_markdown,
)
from app.content.schema import Lesson, Module, Quiz

MAX_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True, order=True)
class ContentProblem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(Exception):
    """The content could not be loaded; `problems` lists every reason at path:line."""

    def __init__(self, problems: Iterable[ContentProblem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Catalogue:
    """Every module and quiz, validated and ready to serve; never changes after loading."""

    modules: tuple[Module, ...]
    quizzes: MappingProxyType[str, Quiz]
    module_of_quiz: MappingProxyType[str, str]
    version: str
    _modules_by_id: MappingProxyType[str, Module] = field(repr=False)
    course: Course | None = None  # course.yaml: title, version, completion rules (issue 13)

    def module(self, module_id: str) -> Module | None:
        return self._modules_by_id.get(module_id)

    def quiz(self, quiz_id: str) -> Quiz | None:
        return self.quizzes.get(quiz_id)

    def quizzes_of(self, module: Module) -> list[Quiz]:
        return [self.quizzes[quiz_id] for quiz_id in module.quizzes]

    def summary(self) -> str:
        lessons = sum(len(m.lessons) for m in self.modules)
        questions = sum(len(q.questions) for q in self.quizzes.values())
        return (
            f"content OK: {len(self.modules)} modules, {lessons} lessons, "
            f"{len(self.quizzes)} quizzes, {questions} questions (version {self.version})"
        )


@dataclass
class _SourceFile:
    path: str
    tree: Any
    model: BaseModel | None = None


def _known_keys() -> set[str]:
    keys: set[str] = set()
    pending: list[type[BaseModel]] = [Module, Quiz]
    seen: set[type] = set()
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            keys.add(name)
            for candidate in _model_types(info.annotation):
                pending.append(candidate)
    return keys


def _model_types(annotation: Any) -> list[type[BaseModel]]:
    found = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.append(annotation)
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_model_types(arg))
    return found


KNOWN_KEYS = _known_keys()


def _plain(node: Any) -> Any:
    """ruamel's round-trip objects as plain Python values, for pydantic."""
    if isinstance(node, dict):
        return {_plain(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def _line_of(tree: Any, loc: Iterable[Any], value: bool = False) -> int:
    """The 1-based line of the deepest node of `loc` that exists in the YAML tree."""
    node, line = tree, 1
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = (node.lc.value(part) if value else node.lc.key(part))[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedMap | CommentedSeq) and isinstance(part, str):
            continue  # a union or validator tag in pydantic's location, not a key
        else:
            break
    return line


def _where(tree: Any, loc: tuple) -> str:
    """A reader's name for the place, e.g. "question 'q3', option 'b'"."""
    names, node = [], tree
    parts = list(loc)
    for index, part in enumerate(parts):
        if isinstance(node, CommentedMap) and part in node:
            node = node[part]
            following = parts[index + 1] if index + 1 < len(parts) else None
            if isinstance(node, CommentedSeq) and isinstance(following, int):
                singular = {"quizzes": "quiz", "options": "option", "questions": "question"}.get(
                    part, part.rstrip("s")
                )
                item = node[following] if following < len(node) else None
                label = (
                    f"'{item['id']}'"
                    if isinstance(item, CommentedMap) and "id" in item
                    else f"#{following + 1}"
                )
                names.append(f"{singular} {label}")
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            break
    return ", ".join(names)


def _message(error: dict, tree: Any) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    key = next((p for p in reversed(loc) if isinstance(p, str)), "")
    where = _where(tree, loc)
    prefix = f"{where}: " if where else ""
    if kind == "extra_forbidden":
        hint = difflib.get_close_matches(str(loc[-1]), KNOWN_KEYS, n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        return f"{prefix}unknown key '{loc[-1]}'{suggestion}"
    if kind == "missing":
        return f"{prefix}missing required key '{loc[-1]}'"
    if kind == "string_pattern_mismatch":
        return (
            f"{prefix}'{key}' must be lowercase letters, digits and single hyphens "
            f"(got {error.get('input')!r})"
        )
    text = error["msg"]
    if text.startswith("Value error, "):
        text = text[len("Value error, ") :]
    if kind == "value_error":
        return f"{prefix}{text}"
    return f"{prefix}{key}: {text}" if key else f"{prefix}{text}"


def _yaml(careful: bool) -> YAML:
    # The round-trip loader keeps every node's line, for path:line messages, but is pure Python;
    # the safe loader runs on ruamel's C parser (ruamel.yaml.clib) about 7 times faster, with the
    # same YAML 1.2 rules and the same refusal of duplicate keys.
    yaml = YAML(typ="rt" if careful else "safe")
    yaml.allow_duplicate_keys = False
    return yaml


def _read_yaml(path: Path, shown: str, careful: bool) -> tuple[Any, list[ContentProblem]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [ContentProblem(shown, 1, f"cannot be read: {exc.strerror}")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [ContentProblem(shown, 1, "file is larger than 1 MiB")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [ContentProblem(shown, line, "is not UTF-8 text; save it as UTF-8")]
    tabs = [
        ContentProblem(shown, number, "tab character in indentation; indent with spaces")
        for number, line in enumerate(text.splitlines(), 1)
        if "\t" in line[: len(line) - len(line.lstrip(" \t"))]
    ]
    if tabs:
        return None, tabs
    try:
        tree = _yaml(careful).load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "duplicate key" in str(exc).lower():
            problem = f"duplicate key: {problem}"
        return None, [ContentProblem(shown, line, f"YAML error: {problem}")]
    except (YAMLError, ValueError, RecursionError) as exc:
        return None, [ContentProblem(shown, 1, f"YAML error: {exc}")]
    if not isinstance(tree, dict):
        return None, [
            ContentProblem(shown, 1, "the file must be a mapping of keys (id:, title:, …)")
        ]
    return tree, []


def _validate(source: _SourceFile, model: type[BaseModel]) -> list[ContentProblem]:
    try:
        source.model = model.model_validate(_plain(source.tree))
    except ValidationError as exc:
        return [
            ContentProblem(source.path, _line_of(source.tree, e["loc"]), _message(e, source.tree))
            for e in exc.errors(include_url=False)
        ]
    except (TypeError, ValueError, RecursionError) as exc:
        return [ContentProblem(source.path, 1, f"cannot be read as content: {exc}")]
    return []


def _text_start(tree: Any, loc: tuple) -> int:
    """The 0-based line where a text value's first line stands (the next line for a | block)."""
    node = tree
    for part in loc:
        node = node[part]
    line = _line_of(tree, loc, value=True) - 1
    return line + 1 if isinstance(node, LiteralScalarString | FoldedScalarString) else line


def _fingerprint(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _question_version(question: Any) -> str:
    return _fingerprint(
        {
            "kind": question.kind,
            "prompt": question.prompt,
            "options": [
                {"id": o.id, "text": o.text, "correct": o.correct, "weights": o.weights}
                for o in question.options
            ],
            "correct_order": question.correct_order,
        }
    )[:16]


def text_to_html(text: str) -> str:
    """Plain text (prompts) as HTML paragraphs, keeping the author's line breaks."""
    from markupsafe import escape

    paragraphs = [p for p in text.strip().split("\n\n") if p.strip()]
    return "".join(
        "<p>" + "<br>".join(str(escape(line.strip())) for line in p.splitlines()) + "</p>"
        for p in paragraphs
    )


def _collect_files(content_dir: Path, folder: str) -> tuple[list[Path], list[ContentProblem]]:
    directory = content_dir / folder
    if not directory.is_dir():
        return [], [ContentProblem(f"{folder}/", 1, f"folder is missing from {content_dir}")]
    files = sorted(p for p in directory.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())
    if not files:
        return [], [ContentProblem(f"{folder}/", 1, "holds no .yaml files")]
    return files, []


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
    sources: dict[str, list[_SourceFile]] = {"modules": [], "quizzes": []}
    for folder, model in (("modules", Module), ("quizzes", Quiz)):
        files, missing = _collect_files(content_dir, folder)
        problems += missing
        for path in files:
            shown = f"{folder}/{path.name}"
            tree, read_problems = _read_yaml(path, shown, careful)
            problems += read_problems
            if tree is None:
                continue
            source = _SourceFile(shown, tree)
            problems += _validate(source, model)
            sources[folder].append(source)

    problems += _check_ids(sources["modules"], "module")
    problems += _check_ids(sources["quizzes"], "quiz")
    modules = [s for s in sources["modules"] if s.model is not None]
    quizzes = {s.model.id: s for s in sources["quizzes"] if s.model is not None}
    # A quiz file that failed validation still names its id: do not also call it missing.
    named_quizzes = {
        str(s.tree["id"]): s for s in sources["quizzes"] if isinstance(s.tree.get("id"), str)
    }
    problems += _check_links(modules, {**named_quizzes, **quizzes})
    problems += _check_markdown(sources)
    course, course_problems = read_course(
        content_dir, careful, {q: s.model for q, s in quizzes.items()}
    )  # issue 13
    problems += course_problems
    if problems:
        raise ContentError(problems)
    return dataclasses.replace(_build(modules, quizzes), course=course)


def _check_ids(sources: list[_SourceFile], noun: str) -> list[ContentProblem]:
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
                    _line_of(source.tree, ("id",)),
                    f"{noun} id '{model_id}' is already used by {other.path}",
                )
            )
        else:
            first_seen[model_id] = source
    return problems


def _check_links(
    modules: list[_SourceFile], quizzes: dict[str, _SourceFile]
) -> list[ContentProblem]:
    problems, used_by, positions = [], {}, {}
    for source in modules:
        module = source.model
        if module.position in positions:
            problems.append(
                ContentProblem(
                    source.path,
                    _line_of(source.tree, ("position",)),
                    f"position {module.position} is also used by {positions[module.position]}",
                )
            )
        positions.setdefault(module.position, source.path)
        for index, quiz_id in enumerate(module.quizzes):
            line = _line_of(source.tree, ("quizzes", index))
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
                    _line_of(source.tree, ("id",)),
                    f"quiz '{quiz_id}' is not listed in any module's `quizzes`, so nobody can take it",
                )
            )
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
                    start = _text_start(source.tree, ("lessons", index, "body"))
                    problems.append(
                        ContentProblem(
                            source.path,
                            start + line + 1,
                            f"grid figure '{ref}' names no grid profile (write quiz-id/profile-id)",
                        )
                    )
    return problems


def _markdown_fields(source: _SourceFile) -> Iterable[tuple[tuple, str]]:
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


def _check_markdown(sources: dict[str, list[_SourceFile]]) -> list[ContentProblem]:
    problems = []
    for source in sources["modules"] + sources["quizzes"]:
        if source.model is None:
            continue
        for loc, text in _markdown_fields(source):
            for problem in markdown_problems(text):
                start = _text_start(source.tree, loc)
                problems.append(
                    ContentProblem(source.path, start + problem.line + 1, problem.message)
                )
    return problems


def _build(modules: list[_SourceFile], quizzes: dict[str, _SourceFile]) -> Catalogue:
    quiz_models = {quiz_id: source.model for quiz_id, source in quizzes.items()}
    for quiz in quiz_models.values():
        quiz._intro_html = render_markdown(quiz.intro) if quiz.intro else ""
        for question in quiz.questions:
            question._version = _question_version(question)
            question._prompt_html = text_to_html(question.prompt)
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
