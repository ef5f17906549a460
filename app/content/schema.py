"""The shape of module and quiz files, as pydantic models that refuse unknown keys.

The validated models are also the frozen catalogue the app reads at run time; values the app
derives (rendered HTML, question versions) live in private attributes set by the loader.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    PlainValidator,
    PrivateAttr,
    model_validator,
)

from app.content.fields import Id, Markdown, Strict, Text
from app.content.kinds import QUESTION_KINDS, QuestionKind
from app.content.lesson_parts import FigureName, WidgetName, one_of
from app.content.profile_schema import Profile

QuestionKindName = Annotated[
    str, AfterValidator(one_of("question kind", QUESTION_KINDS, plural="kinds"))
]


class Option(Strict):
    id: Id
    text: Text
    correct: bool = False
    feedback: Text | None = None
    weights: dict[Id, int] = Field(default_factory=dict)


class Question(Strict):
    id: Id
    kind: QuestionKindName
    prompt: Text
    options: list[Option] = Field(min_length=2, max_length=20)
    explanation: Markdown
    correct_order: list[Id] | None = None
    suggested_answer: Id | None = None
    shuffle: bool = True  # options in a new order per learner and attempt; false: as written
    scoring: Literal["all", "partial"] = "all"  # partial: +1/k per right tick, −1/k per wrong
    # Whether the explanation names the right answer: then it stays hidden from a learner who
    # answered wrong until the quiz's review policy allows.
    explanation_gives_answer: bool = True
    # The ideas it tests, declared once in course.yaml's `concepts` (checked by the loader).
    concepts: list[Id] = Field(default_factory=list, max_length=10)

    _version: str = PrivateAttr(default="")
    _explanation_html: str = PrivateAttr(default="")
    _shown: tuple[str, ...] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _rules_of_its_kind(self) -> Question:
        ids = [option.id for option in self.options]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(
                f"option ids must be unique within a question: {', '.join(duplicates)}"
            )
        if self.scoring == "partial" and not self.question_kind.partial_scoring:
            raise ValueError(
                f"`scoring: partial` is for tick-all (multiple) questions, not {self.kind}"
            )
        self.question_kind.check_definition(self)
        return self

    @property
    def question_kind(self) -> QuestionKind:
        """The registered kind that defines, grades and shows this question."""
        return QUESTION_KINDS[self.kind]

    @property
    def graded(self) -> bool:
        return self.question_kind.graded

    @property
    def version(self) -> str:
        """A fingerprint of everything that decides what an answer means."""
        return self._version

    @property
    def explanation_html(self) -> str:
        return self._explanation_html

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    @property
    def option_ids(self) -> list[str]:
        return [option.id for option in self.options]

    @property
    def correct_option_ids(self) -> list[str]:
        return self.question_kind.correct_option_ids(self)

    @property
    def display_options(self) -> list[Option]:
        """The options in the order the learner sees them: the order of this presentation
        (see `presented`), else the kind's default order."""
        if self._shown is not None:
            return [o for i in self._shown for o in self.options if o.id == i]
        return self.question_kind.display_options(self)

    def presented(self, order: list[str] | None) -> Question:
        """This question with its options shown in `order` (ignored unless it lists every
        option once: the question may have changed since)."""
        if order is None or sorted(order) != sorted(self.option_ids):
            return self
        copy = self.model_copy()
        copy._shown = tuple(order)
        return copy


class AfterAttempts(Strict):
    after_attempts: int = Field(ge=1, le=100)


def _review_policy(value: Any) -> str | AfterAttempts | None:
    """`review:` as one clear message when it is none of the policies (not one per union arm)."""
    if value is None or value in ("always", "after_pass"):
        return value
    if isinstance(value, AfterAttempts):
        return value
    if isinstance(value, dict) and list(value) == ["after_attempts"]:
        number = value["after_attempts"]
        if type(number) is int and 1 <= number <= 100:
            return AfterAttempts(after_attempts=number)
    raise ValueError(
        "`review` must be `always`, `after_pass` or `after_attempts: N` with N from 1 to 100"
    )


ReviewPolicy = Annotated[AfterAttempts | str | None, PlainValidator(_review_policy)]


class Quiz(Strict):
    id: Id
    title: Text
    kind: Literal["graded", "self-assessment"]
    pass_mark: int | None = Field(default=None, ge=1, le=100)
    # When a learner who answered wrong may see the right answers and the explanations that
    # give them away: always, after_pass (default for graded quizzes), or after N attempts.
    review: ReviewPolicy = None
    feedback: Literal["end", "each"] = "end"  # each: checked question by question
    intro: Markdown | None = None
    profiles: list[Profile] = Field(default_factory=list)
    questions: list[Question] = Field(min_length=1, max_length=200)
    # A short check taken before the module's lessons, on the concepts of this graded quiz.
    pre_test_of: Id | None = None

    _intro_html: str = PrivateAttr(default="")
    _version: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _rules_of_its_kind(self) -> Quiz:
        problems = []
        if self.pre_test_of is not None:
            if self.kind != "graded" or self.pass_mark is not None:
                problems.append(
                    "a pre-test (`pre_test_of`) is `kind: graded` without a `pass_mark`: "
                    "nobody passes or fails it"
                )
        elif self.kind == "graded" and self.pass_mark is None:
            problems.append("a graded quiz needs a `pass_mark` (percent, 1 to 100)")
        if self.kind == "self-assessment":
            if self.pass_mark is not None:
                problems.append("a self-assessment quiz has no `pass_mark`")
            graded = [q.id for q in self.questions if q.graded]
            if graded:
                problems.append(
                    "a self-assessment quiz holds only profile questions; graded: "
                    + ", ".join(graded)
                )
        if self.kind == "self-assessment" and self.review not in (None, "always"):
            problems.append("a self-assessment quiz has no right answers to hide: drop `review`")
        if self.kind == "graded" and not any(q.graded for q in self.questions):
            problems.append("a graded quiz needs at least one graded question")
        question_ids = [q.id for q in self.questions]
        dup = sorted({i for i in question_ids if question_ids.count(i) > 1})
        if dup:
            problems.append("question ids must be unique within a quiz: " + ", ".join(dup))
        profile_ids = [p.id for p in self.profiles]
        if len(set(profile_ids)) != len(profile_ids):
            problems.append("profile ids must be unique within a quiz")
        owners: dict[str, str] = {}
        for profile in self.profiles:
            for trait in profile.traits:
                if trait.id in owners:
                    problems.append(
                        f"trait {trait.id!r} is declared in two profiles: "
                        f"{owners[trait.id]} and {profile.id}"
                    )
                owners[trait.id] = profile.id
        for question in self.questions:
            for option in question.options:
                for trait_id in option.weights:
                    if trait_id not in owners:
                        problems.append(
                            f"question {question.id!r}, option {option.id!r}: weight on trait "
                            f"{trait_id!r}, which no profile of this quiz declares"
                        )
        if any(not q.graded for q in self.questions) and not self.profiles:
            problems.append("profile questions need a `profiles` section saying how to read them")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    @property
    def review_policy(self) -> str | int:
        """ "always", "after_pass", or the number of attempts after which all is shown."""
        if isinstance(self.review, AfterAttempts):
            return self.review.after_attempts
        return self.review or ("after_pass" if self.is_graded else "always")

    def presented(self, orders: dict[str, list[str]] | None) -> Quiz:
        """This quiz with each question's options in the order shown (see Question.presented)."""
        orders = orders or {}
        return self.model_copy(
            update={"questions": [q.presented(orders.get(q.id)) for q in self.questions]}
        )

    @property
    def graded_questions(self) -> list[Question]:
        return [q for q in self.questions if q.graded]

    @property
    def max_score(self) -> int:
        return len(self.graded_questions)

    @property
    def is_graded(self) -> bool:
        """Passed or failed, and counted for completion (a pre-test is marked but never is)."""
        return self.kind == "graded" and self.pre_test_of is None

    @property
    def is_pre_test(self) -> bool:
        return self.pre_test_of is not None

    @property
    def is_marked(self) -> bool:
        """Its answers are right or wrong: a graded quiz or a pre-test."""
        return self.kind == "graded"

    @property
    def intro_html(self) -> str:
        return self._intro_html

    @property
    def scripts(self) -> list[str]:
        """The static scripts its questions' kinds need on the quiz page, each once."""
        return list(dict.fromkeys(s for q in self.questions for s in q.question_kind.scripts))

    @property
    def version(self) -> str:
        return self._version

    def profile(self, profile_id: str) -> Profile | None:
        return next((p for p in self.profiles if p.id == profile_id), None)

    def profile_for_trait(self, trait_id: str) -> Profile | None:
        return next((p for p in self.profiles if p.trait(trait_id)), None)


class Lesson(Strict):
    id: Id
    title: Text
    body: Markdown
    figures: list[FigureName] = Field(default_factory=list, max_length=10)  # after the text
    widget: WidgetName | None = None  # after the figures

    _html: str = PrivateAttr(default="")

    @property
    def html(self) -> str:
        return self._html


class Module(Strict):
    id: Id
    position: int = Field(ge=0, le=10_000)
    title: Text
    summary: Text
    estimated_minutes: int = Field(ge=1, le=1000)
    lessons: list[Lesson] = Field(min_length=1, max_length=200)
    quizzes: list[Id] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_lessons(self) -> Module:
        ids = [lesson.id for lesson in self.lessons]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError("lesson ids must be unique within a module: " + ", ".join(dup))
        if len(set(self.quizzes)) != len(self.quizzes):
            raise ValueError("a quiz is listed twice in `quizzes`")
        return self

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    def neighbours(self, lesson_id: str) -> tuple[Lesson | None, Lesson | None]:
        """The lessons before and after this one, in reading order."""
        ids = [lesson.id for lesson in self.lessons]
        index = ids.index(lesson_id)
        before = self.lessons[index - 1] if index > 0 else None
        after = self.lessons[index + 1] if index + 1 < len(self.lessons) else None
        return before, after
