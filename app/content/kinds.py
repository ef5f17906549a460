"""The registry of question kinds: how each is defined, answered and graded.

Each kind is one object with the same methods, so adding a kind means adding one class here and
nothing else changes shape (the quiz form and the API look kinds up in this registry).
"""

from __future__ import annotations

import hashlib
import random
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from app.content.schema import Option, Question


class QuestionKind:
    name: ClassVar[str]
    graded: ClassVar[bool] = True

    def check_definition(self, question: Question) -> None:
        """Raise ValueError when the question breaks this kind's authoring rules."""
        if question.correct_order is not None:
            raise ValueError(f"`correct_order` belongs to ordering questions, not {self.name}")
        if question.suggested_answer is not None:
            raise ValueError("`suggested_answer` belongs to profile questions")
        if any(option.weights for option in question.options):
            raise ValueError("`weights` belong to the options of profile questions")

    def answer_problem(self, question: Question, selected: list[str]) -> str | None:
        """Why this selection is not a valid answer (unknown option, wrong count), or None."""
        unknown = [option_id for option_id in selected if question.option(option_id) is None]
        if unknown:
            return "unknown option id(s): " + ", ".join(map(str, unknown))
        if len(set(selected)) != len(selected):
            return "an option is chosen twice"
        if not selected:
            return "no option chosen"
        return None

    def is_correct(self, question: Question, selected: list[str]) -> bool | None:
        raise NotImplementedError

    def correct_option_ids(self, question: Question) -> list[str]:
        return [option.id for option in question.options if option.correct]

    def display_options(self, question: Question) -> list[Option]:
        return list(question.options)

    # Item analysis: kinds whose answers are an order count, per option, how many learners put it
    # in its right place instead of how many chose it.
    counts_placement: ClassVar[bool] = False

    def placed_option_ids(self, question: Question, selected: list[str]) -> list[str]:
        """The options this answer put in their right place ([] for kinds without an order)."""
        return []


class SingleChoice(QuestionKind):
    name = "single"

    def check_definition(self, question: Question) -> None:
        super().check_definition(question)
        right = self.correct_option_ids(question)
        if len(right) != 1:
            raise ValueError(
                f"a single question needs exactly one option with `correct: true` (found {len(right)})"
            )

    def answer_problem(self, question: Question, selected: list[str]) -> str | None:
        problem = super().answer_problem(question, selected)
        if problem is None and len(selected) != 1:
            return "choose exactly one option"
        return problem

    def is_correct(self, question: Question, selected: list[str]) -> bool:
        return selected == self.correct_option_ids(question)


class MultipleChoice(QuestionKind):
    name = "multiple"

    def check_definition(self, question: Question) -> None:
        super().check_definition(question)
        right = self.correct_option_ids(question)
        if len(right) < 2:
            raise ValueError(
                "a multiple question needs two or more options with `correct: true` "
                f"(found {len(right)}); use `single` for one"
            )

    def is_correct(self, question: Question, selected: list[str]) -> bool:
        # All or nothing: exactly the right set, no more and no fewer.
        return set(selected) == set(self.correct_option_ids(question))


class Ordering(QuestionKind):
    name = "ordering"

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

    def answer_problem(self, question: Question, selected: list[str]) -> str | None:
        problem = super().answer_problem(question, selected)
        if problem is None and len(selected) != len(question.options):
            return "put every option in order, each once"
        return problem

    def is_correct(self, question: Question, selected: list[str]) -> bool:
        return selected == question.correct_order

    def correct_option_ids(self, question: Question) -> list[str]:
        return list(question.correct_order or [])

    counts_placement = True

    def placed_option_ids(self, question: Question, selected: list[str]) -> list[str]:
        order = question.correct_order or []
        return [
            option_id
            for position, option_id in enumerate(selected)
            if position < len(order) and order[position] == option_id
        ]

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


class ProfileChoice(QuestionKind):
    name = "profile"
    graded = False

    def check_definition(self, question: Question) -> None:
        if question.correct_order is not None:
            raise ValueError("`correct_order` belongs to ordering questions")
        if any(option.correct for option in question.options):
            raise ValueError(
                "profile options are never right or wrong: remove `correct` "
                "(the source's stated answer goes in `suggested_answer`)"
            )
        missing = [option.id for option in question.options if not option.weights]
        if missing:
            raise ValueError(
                "every profile option needs `weights`; missing on: " + ", ".join(missing)
            )
        if (
            question.suggested_answer is not None
            and question.option(question.suggested_answer) is None
        ):
            raise ValueError(
                f"`suggested_answer` {question.suggested_answer!r} is not one of the options"
            )

    def answer_problem(self, question: Question, selected: list[str]) -> str | None:
        problem = super().answer_problem(question, selected)
        if problem is None and len(selected) != 1:
            return "choose exactly one option"
        return problem

    def is_correct(self, question: Question, selected: list[str]) -> None:
        return None

    def correct_option_ids(self, question: Question) -> list[str]:
        return []


QUESTION_KINDS: dict[str, QuestionKind] = {
    kind.name: kind for kind in (SingleChoice(), MultipleChoice(), Ordering(), ProfileChoice())
}
