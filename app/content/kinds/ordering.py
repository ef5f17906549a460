"""Ordering questions: put every option in its place; right only when the whole order is."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from app.content.kinds.base import AnswerField, FormAnswerRefused, QuestionKind

if TYPE_CHECKING:
    from app.content.schema import Option, Question


class Ordering(QuestionKind):
    name = "ordering"
    scripts = ("ordering.js",)
    counts_placement = True
    xapi_interaction_type = "sequencing"

    def check_definition(self, question: Question) -> None:
        if question.suggested_answer is not None:
            raise ValueError("`suggested_answer` belongs to profile questions")
        if any(option.correct for option in question.options):
            raise ValueError("ordering options have no `correct`; give `correct_order` instead")
        if any(option.weights for option in question.options):
            raise ValueError("`weights` belong to the options of profile questions")
        if question.correct_order is None:
            raise ValueError(
                "an ordering question needs `correct_order`: every option id, in order"
            )
        if sorted(question.correct_order) != sorted(question.option_ids):
            raise ValueError(
                "`correct_order` must list every option id exactly once "
                f"(options: {', '.join(question.option_ids)})"
            )

    def answer_fields(self, question: Question) -> list[AnswerField]:
        # One position select per option, so that the form works without JavaScript.
        positions = tuple((str(n), str(n)) for n in range(1, len(question.options) + 1))
        return [
            AnswerField(
                key=option.id,
                label=option.text,
                input="select",
                choices=positions,
                required="Give this step a position.",
                default=str(index),
            )
            for index, option in enumerate(question.display_options, 1)
        ]

    def selection_from_form(self, question: Question, values: Mapping[str, Any]) -> list[str]:
        chosen = {option.id: values[option.id] for option in question.options}
        positions = sorted(chosen.values(), key=lambda p: int(p) if str(p).isdigit() else 0)
        if positions != [str(n) for n in range(1, len(question.options) + 1)]:
            raise FormAnswerRefused(
                question.display_options[0].id,
                "Use each position once: 1 for the first step, and so on.",
            )
        return sorted(chosen, key=lambda option_id: int(chosen[option_id]))

    def answer_problem(self, question: Question, selected: list[str]) -> str | None:
        problem = super().answer_problem(question, selected)
        if problem is None and len(selected) != len(question.options):
            return "put every option in order, each once"
        return problem

    def is_correct(self, question: Question, selected: list[str]) -> bool:
        return selected == question.correct_order

    def correct_option_ids(self, question: Question) -> list[str]:
        return list(question.correct_order or [])

    def display_options(self, question: Question) -> list[Option]:
        # A fixed shuffle (the same for everyone, seeded by the question) that never shows
        # the right order itself.
        options = list(question.options)
        seed = int(hashlib.sha256(question.id.encode()).hexdigest()[:8], 16)
        shuffler = random.Random(seed)  # noqa: S311 - presentation only
        for _ in range(10):
            shuffler.shuffle(options)
            if [o.id for o in options] != question.correct_order:
                break
        return options

    def shown_order(self, question: Question, rng: random.Random) -> list[str]:
        # Like display_options, per learner and attempt: never the right order itself.
        if not question.shuffle:
            return [option.id for option in self.display_options(question)]
        order = list(question.option_ids)
        for _ in range(10):
            rng.shuffle(order)
            if order != question.correct_order:
                break
        return order

    def placed_option_ids(self, question: Question, selected: list[str]) -> list[str]:
        order = question.correct_order or []
        return [
            option_id
            for position, option_id in enumerate(selected)
            if position < len(order) and order[position] == option_id
        ]

    def sample_mistake(self, question: Question, right: list[str], rng: random.Random) -> list[str]:
        # Two neighbouring steps swapped: the mistake people make.
        order = list(question.correct_order or right)
        i = rng.randrange(len(order) - 1)
        order[i], order[i + 1] = order[i + 1], order[i]
        return order
