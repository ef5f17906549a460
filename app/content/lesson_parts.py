"""What a lesson may show besides its text: interactive widgets and drawn figures, by name.

Each name has a partial of the same name (app/templates/widgets/, app/templates/figures/), and
a widget its script (app/static/<name>.js); tests/content/test_lesson_parts.py checks both.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Annotated

from pydantic import AfterValidator

LESSON_WIDGETS: Mapping[str, str] = {
    "trust-calculator": "three sliders giving a trust score, worked out as the self-assessment does",
}

LESSON_FIGURES: Mapping[str, str] = {
    "five-steps": "the five steps of a sale, in order",
    "communication-split": "the 7/38/55 split of words, voice and body language",
    "service-quality": "expected, provided and perceived service, and the image between them",
}


def one_of(what: str, names: Mapping[str, object], plural: str = "") -> Callable[[str], str]:
    """A validator accepting only `names`; its error suggests the closest and lists them all."""

    def check(name: str) -> str:
        if name not in names:
            hint = difflib.get_close_matches(name, names, n=1)
            raise ValueError(
                f"unknown {what} {name!r}"
                + (f" (did you mean '{hint[0]}'?)" if hint else "")
                + f"; the {plural or what + 's'} are: "
                + ", ".join(sorted(names))
            )
        return name

    return check


WidgetName = Annotated[str, AfterValidator(one_of("widget", LESSON_WIDGETS))]
FigureName = Annotated[str, AfterValidator(one_of("figure", LESSON_FIGURES))]
