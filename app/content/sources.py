"""Reading one content file: YAML that keeps every node's line, validated into its model, with
each problem at path:line."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from app.content.schema import Module, Quiz

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

    def __init__(self, problems: Iterable[ContentProblem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class SourceFile:
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


def line_of(tree: Any, loc: Iterable[Any], value: bool = False) -> int:
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


def read_yaml(path: Path, shown: str, careful: bool) -> tuple[Any, list[ContentProblem]]:
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


def validate(source: SourceFile, model: type[BaseModel]) -> list[ContentProblem]:
    try:
        source.model = model.model_validate(_plain(source.tree))
    except ValidationError as exc:
        return [
            ContentProblem(source.path, line_of(source.tree, e["loc"]), _message(e, source.tree))
            for e in exc.errors(include_url=False)
        ]
    except (TypeError, ValueError, RecursionError) as exc:
        return [ContentProblem(source.path, 1, f"cannot be read as content: {exc}")]
    return []


def text_start(tree: Any, loc: tuple) -> int:
    """The 0-based line where a text value's first line stands (the next line for a | block)."""
    node = tree
    for part in loc:
        node = node[part]
    line = line_of(tree, loc, value=True) - 1
    return line + 1 if isinstance(node, LiteralScalarString | FoldedScalarString) else line


def collect_files(content_dir: Path, folder: str) -> tuple[list[Path], list[ContentProblem]]:
    """The YAML files of one content folder, sorted, or the problem that there are none."""
    directory = content_dir / folder
    if not directory.is_dir():
        return [], [ContentProblem(f"{folder}/", 1, f"folder is missing from {content_dir}")]
    files = sorted(p for p in directory.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())
    if not files:
        return [], [ContentProblem(f"{folder}/", 1, "holds no .yaml files")]
    return files, []
