"""The kinds answered by choosing options from a list: single, multiple and profile."""

from __future__ import annotations

import random
from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar

from app.content.kinds.base import AnswerField, AnswerInput, QuestionKind

if TYPE_CHECKING:
    from app.content.schema import Question


def refuse_other_kinds_keys(question: Question, kind: str) -> None:
    """The keys that belong to ordering and profile questions only."""
    if question.correct_order is not None:
        raise ValueError(f"`correct_order` belongs to ordering questions, not {kind}")
    if question.suggested_answer is not None:
        raise ValueError("`suggested_answer` belongs to profile questions")
    if any(option.weights for option in question.options):
        raise ValueError("`weights` belong to the options of profile questions")


class ChoiceKind(QuestionKind):
    """One input listing the options: radio buttons, or checkboxes when several may be chosen."""

    partials = "kinds/choice"
    xapi_interaction_type = "choice"
    input: ClassVar[AnswerInput] = "radio"
    required_message: ClassVar[str] = "Choose an answer."

    def check_definition(self, question: Question) -> None:
        refuse_other_kinds_keys(question, self.name)

    def answer_fields(self, question: Question) -> list[AnswerField]:
        return [
            AnswerField(
                key="",
                label=question.prompt,
                input=self.input,
                choices=tuple((o.id, o.text) for o in question.display_options),
                required=self.required_message,
            )
        ]

    def selection_from_form(self, question: Question, values: Mapping[str, Any]) -> list[str]:
        # Ticked boxes come in the order shown, which differs per learner: store them in the
        # written order, so that the same answer is stored alike for everyone.
        data = values[""]
        chosen = list(data) if isinstance(data, list) else [data]
        written = {option_id: index for index, option_id in enumerate(question.option_ids)}
        return sorted(chosen, key=lambda option_id: written.get(option_id, len(written)))

    def answer_problem(self, question: Question, selected: list[str]) -> str | None:
        problem = super().answer_problem(question, selected)
        if problem is None and self.input == "radio" and len(selected) != 1:
            return "choose exactly one option"
        return problem


class SingleChoice(ChoiceKind):
    name = "single"

    def check_definition(self, question: Question) -> None:
        super().check_definition(question)
        right = self.correct_option_ids(question)
        if len(right) != 1:
            raise ValueError(
                f"a single question needs exactly one option with `correct: true` (found {len(right)})"
            )

    def is_correct(self, question: Question, selected: list[str]) -> bool:
        return selected == self.correct_option_ids(question)


class MultipleChoice(ChoiceKind):
    name = "multiple"
    input = "checkboxes"
    required_message = "Tick at least one answer."
    quiz_hint = "Tick every answer that applies."

    def check_definition(self, question: Question) -> None:
        super().check_definition(question)
        right = self.correct_option_ids(question)
        if len(right) < 2:
            raise ValueError(
                "a multiple question needs two or more options with `correct: true` "
                f"(found {len(right)}); use `single` for one"
            )

    partial_scoring = True

    def is_correct(self, question: Question, selected: list[str]) -> bool:
        # Right means exactly the right set, no more and no fewer (also with partial scoring).
        return set(selected) == set(self.correct_option_ids(question))

    def credit(self, question: Question, selected: list[str]) -> Fraction:
        if question.scoring != "partial":
            return Fraction(int(self.is_correct(question, selected)))
        right = set(self.correct_option_ids(question))
        ticks = sum(1 if option_id in right else -1 for option_id in set(selected))
        return max(Fraction(0), Fraction(ticks, len(right)))

    def sample_mistake(self, question: Question, right: list[str], rng: random.Random) -> list[str]:
        wrong = [o.id for o in question.options if o.id not in right]
        if wrong and rng.random() < 0.5:
            return right[:-1] + [wrong[0]]
        return right[:-1]


class ProfileChoice(ChoiceKind):
    """A self-assessment question: each option weighs on traits; nothing is right or wrong."""

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

    def is_correct(self, question: Question, selected: list[str]) -> None:
        return None

    def correct_option_ids(self, question: Question) -> list[str]:
        return []

    def sample_answer(
        self, question: Question, right_chance: float, outlook: float, rng: random.Random
    ) -> list[str]:
        last = len(question.options) - 1
        index = round(outlook * last) + rng.choice((-1, 0, 0, 1))
        return [question.options[min(last, max(0, index))].id]
