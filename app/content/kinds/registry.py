"""The registry of question kinds, and the start-up check that every kind is complete."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from app.content.kinds.base import REQUIRED_METHODS, QuestionKind

QUESTION_KINDS: dict[str, QuestionKind] = {}
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class QuestionKindsIncomplete(Exception):
    """A registered kind lacks a method, a partial or a script; `problems` says which."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def register_kind(kind_class: type[QuestionKind]) -> type[QuestionKind]:
    """Make a kind known to the content files, the quiz form and every page (usable as a
    decorator). Its completeness is checked when the app starts."""
    name = getattr(kind_class, "name", None)
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"{kind_class.__name__}.name must be an id like 'pick-two', not {name!r}")
    if name in QUESTION_KINDS:
        raise ValueError(f"a question kind named {name!r} is registered already")
    QUESTION_KINDS[name] = kind_class()
    return kind_class


def unregister_kind(name: str) -> None:
    """Forget a kind (for tests that register one of their own)."""
    QUESTION_KINDS.pop(name, None)


def kind_problems(
    template_exists: Callable[[str], bool], static_exists: Callable[[str], bool]
) -> list[str]:
    """Why the registry is incomplete: a required method not implemented, a partial template or
    a script it names that does not exist. [] when every kind is complete."""
    problems = []
    for name, kind in sorted(QUESTION_KINDS.items()):
        label = f"question kind {name!r} ({type(kind).__name__})"
        missing = [
            method
            for method in REQUIRED_METHODS
            if getattr(type(kind), method) is getattr(QuestionKind, method)
        ]
        if missing:
            problems.append(f"{label} does not implement: {', '.join(missing)}")
        problems += [
            f"{label} names the partial {template!r}, which does not exist"
            for template in kind.templates.names()
            if not template_exists(template)
        ]
        problems += [
            f"{label} names the script {script!r}, which is not in app/static"
            for script in kind.scripts
            if not static_exists(script)
        ]
    return problems


def kind_template_roots() -> list[Path]:
    """The template folders of kinds that live outside the app, in registration order."""
    roots = [kind.partials_root for kind in QUESTION_KINDS.values() if kind.partials_root]
    return list(dict.fromkeys(roots))
