"""The lesson page's main part (the lesson, its pager and the module's contents), rendered once
for each state a learner can be in and kept: a later visit in the same state only renders the
page's frame around it (bench/request_cost.py: 30–45 % less CPU per lesson page, issue 15).

The part shows nothing of the learner but the lessons of the module they have read and the
quizzes they have passed or taken, and both are in the key, so nobody is shown another's state.
The learner's name, CSRF tokens and messages stay outside it, in base.html.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable

from flask import current_app, render_template, request
from markupsafe import Markup

from app.content import Catalogue, Lesson, Module
from app.services.catalogue import get_catalogue
from app.services.progress import ModuleProgress

EXTENSION = "rapport_lesson_parts"
MAX_ENTRIES = 2048  # a course of 40 lessons read in every order by learners at every quiz state


class RenderedParts:
    """Rendered HTML by key, valid for one catalogue: a content reload empties it."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self.catalogue: Catalogue | None = None
        self.entries: dict[Hashable, Markup] = {}
        self.lock = threading.Lock()

    def get(self, catalogue: Catalogue, key: Hashable) -> Markup | None:
        if catalogue is not self.catalogue:
            return None
        return self.entries.get(key)

    def put(self, catalogue: Catalogue, key: Hashable, html: Markup) -> None:
        with self.lock:
            if catalogue is not self.catalogue:
                self.entries = {}
                self.catalogue = catalogue
            elif len(self.entries) >= self.max_entries:
                del self.entries[next(iter(self.entries))]  # the oldest first
            self.entries[key] = html


def state_key(module: Module, lesson: Lesson, progress: ModuleProgress) -> tuple:
    """Everything the part depends on besides the catalogue: where the app is mounted (its
    links), the lesson, and the learner's read lessons and quiz results in this module."""
    return (
        request.script_root,
        module.id,
        lesson.id,
        progress.lessons_read,
        tuple((status.passed, status.attempts > 0) for status in progress.quizzes),
    )


def lesson_body(
    module: Module,
    lesson: Lesson,
    previous: Lesson | None,
    following: Lesson | None,
    progress: ModuleProgress,
) -> Markup:
    """The lesson, its pager and the module's contents, from the cache when this state was seen.

    Not kept while templates reload on change (development), so an edited template shows.
    """

    def render() -> Markup:
        return Markup(  # noqa: S704 - rendered by Jinja with autoescape on
            render_template(
                "learn/_lesson_body.html",
                module=module,
                lesson=lesson,
                previous=previous,
                next=following,
                progress=progress,
            )
        )

    app = current_app._get_current_object()
    if app.jinja_env.auto_reload:
        return render()
    parts: RenderedParts | None = app.extensions.get(EXTENSION)
    if parts is None:
        parts = app.extensions.setdefault(EXTENSION, RenderedParts())
    catalogue = get_catalogue()
    key = state_key(module, lesson, progress)
    html = parts.get(catalogue, key)
    if html is None:
        html = render()
        parts.put(catalogue, key, html)
    return html
