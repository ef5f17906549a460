"""What every question kind provides: the contract the registry checks at start-up."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    from app.content.schema import Option, Question

AnswerInput = Literal["radio", "checkboxes", "select"]
XAPI_SEPARATOR = "[,]"  # between option ids in an xAPI response or correct-response pattern


@dataclass(frozen=True)
class AnswerField:
    """One input of the quiz form, described without a form library (learn/forms.py builds it
    and names it after the question and the key)."""

    key: str  # unique within the question: "" for its only input, else e.g. an option id
    label: str
    input: AnswerInput
    choices: tuple[tuple[str, str], ...]  # (value, text shown)
    required: str  # the message when it is left empty
    default: str | None = None


class FormAnswerRefused(ValueError):
    """Submitted form values that make no answer; `key` is the input the message belongs to."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


@dataclass(frozen=True)
class KindTemplates:
    """The partials a kind renders its question with, one per page that shows it."""

    quiz: str  # inside the question's fieldset on the quiz page (`question`, `form`)
    result: str  # the learner's answer on the result page (`question`, `entry`)
    trainer_answer: str  # the chosen answer in the trainer's learner view (`ans`)

    @classmethod
    def in_folder(cls, folder: str) -> KindTemplates:
        return cls(
            quiz=f"{folder}/quiz.html",
            result=f"{folder}/result.html",
            trainer_answer=f"{folder}/trainer_answer.html",
        )

    def names(self) -> list[str]:
        return [self.quiz, self.result, self.trainer_answer]


class QuestionKind:
    """One kind of question, from its YAML definition to its grading, pages and statistics.

    Subclasses set `name` and implement the methods listed in REQUIRED_METHODS; everything else
    has a default that fits choice-like kinds.
    """

    name: ClassVar[str]
    graded: ClassVar[bool] = True
    # Where its partials are: a folder under the template path (default `kinds/<name>`), and the
    # template path itself for a kind that lives outside the app (None: app/templates).
    partials: ClassVar[str] = ""
    partials_root: ClassVar[Path | None] = None
    scripts: ClassVar[tuple[str, ...]] = ()  # files in app/static that its quiz partial needs
    quiz_hint: ClassVar[str] = ""  # a line under the prompt, for kinds that need one

    # --- Defining -------------------------------------------------------------------------
    def check_definition(self, question: Question) -> None:
        """Raise ValueError when the question breaks this kind's authoring rules."""
        raise NotImplementedError

    # --- Answering ------------------------------------------------------------------------
    def answer_fields(self, question: Question) -> list[AnswerField]:
        """The inputs of the quiz form that answer this question."""
        raise NotImplementedError

    def selection_from_form(self, question: Question, values: Mapping[str, Any]) -> list[str]:
        """The selection (option ids) from the submitted values of `answer_fields` by key, which
        the form has checked one by one; raise FormAnswerRefused when together they make none."""
        raise NotImplementedError

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

    # --- Grading --------------------------------------------------------------------------
    def is_correct(self, question: Question, selected: list[str]) -> bool | None:
        """Whether a valid selection is right; None for a kind that is never marked."""
        raise NotImplementedError

    # Whether its questions may say `scoring: partial` (see `credit`).
    partial_scoring: ClassVar[bool] = False

    def credit(self, question: Question, selected: list[str]) -> Fraction | None:
        """The share of the question's point this valid selection earns, 0 to 1 (None when
        never marked): all or nothing unless the kind supports partial scoring."""
        right = self.is_correct(question, selected)
        return None if right is None else Fraction(int(right))

    def correct_option_ids(self, question: Question) -> list[str]:
        return [option.id for option in question.options if option.correct]

    def display_options(self, question: Question) -> list[Option]:
        """The options in the order shown when no learner's order is known (the written one)."""
        return list(question.options)

    def shown_order(self, question: Question, rng: random.Random) -> list[str]:
        """The option ids in the order one learner sees them in one attempt: shuffled with
        `rng` unless the question says `shuffle: false`."""
        order = [option.id for option in self.display_options(question)]
        if question.shuffle:
            rng.shuffle(order)
        return order

    # --- Describing -----------------------------------------------------------------------
    def answer_texts(self, question: Question, selected: list[str]) -> list[str]:
        """The selection in words, in its order (an option no longer there keeps its id)."""
        texts = {option.id: option.text for option in question.options}
        return [texts.get(option_id, option_id) for option_id in selected]

    @property
    def templates(self) -> KindTemplates:
        return KindTemplates.in_folder(self.partials or f"kinds/{self.name}")

    # --- Item analysis --------------------------------------------------------------------
    # Kinds whose answers are an order count, per option, how many learners put it in its
    # right place instead of how many chose it.
    counts_placement: ClassVar[bool] = False

    def placed_option_ids(self, question: Question, selected: list[str]) -> list[str]:
        """The options this answer put in their right place ([] for kinds without an order)."""
        return []

    # --- xAPI -----------------------------------------------------------------------------
    # The interactionType of its questions' activities in xAPI statements (xAPI 1.0.3, 2.4.4.1.2).
    xapi_interaction_type: ClassVar[str] = "choice"

    def xapi_definition(self, question: Question, language: str) -> dict[str, Any]:
        """The interaction part of the question's xAPI activity definition: its type, the
        options as choices and, when graded, the right response."""
        definition: dict[str, Any] = {
            "interactionType": self.xapi_interaction_type,
            "choices": [{"id": o.id, "description": {language: o.text}} for o in question.options],
        }
        if question.graded:
            definition["correctResponsesPattern"] = [
                XAPI_SEPARATOR.join(question.correct_option_ids)
            ]
        return definition

    # --- Demo data ------------------------------------------------------------------------
    def sample_answer(
        self, question: Question, right_chance: float, outlook: float, rng: random.Random
    ) -> list[str]:
        """A plausible answer for demo data: right with the given chance, else a typical mistake.
        `outlook` (0 to 1) is how favourably the made-up learner sees themself."""
        right = self.correct_option_ids(question)
        if rng.random() < right_chance:
            return right
        return self.sample_mistake(question, right, rng)

    def sample_mistake(self, question: Question, right: list[str], rng: random.Random) -> list[str]:
        # Most mistakes fall on the same tempting distractor, as in real cohorts.
        wrong = [o.id for o in question.options if o.id not in right]
        return [wrong[0] if rng.random() < 0.65 or len(wrong) == 1 else rng.choice(wrong[1:])]


REQUIRED_METHODS = ("check_definition", "answer_fields", "selection_from_form", "is_correct")
