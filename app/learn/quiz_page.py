"""What the quiz page asks: every question, or only those missed in the attempt being retaken;
options in the learner's order; all at once, or one by one with feedback (`feedback: each`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from app.content import Question, Quiz
from app.learn.forms import read_checked
from app.services import attempts, presentation
from app.services.results import AnsweredQuestion

MAX_ATTEMPT_NUMBER = 100_000


class NoSuchRetake(LookupError):
    """`retake_of` names no attempt of this learner that can be retaken."""


def _number(value: object) -> int | None:
    text = str(value or "")
    if text.isdigit() and 0 < int(text) <= MAX_ATTEMPT_NUMBER:
        return int(text)
    return None


@dataclass(frozen=True)
class QuizPage:
    quiz: Quiz  # options in the order this learner sees them in this attempt
    asked: list[Question]
    attempt_number: int
    retake_of: int | None = None
    kept: int = 0  # answers kept from the attempt being retaken
    revealed: bool = False  # whether right answers may be shown (the review policy)
    checked: dict[str, list[str]] = field(default_factory=dict)  # feedback: each
    reviews: list[AnsweredQuestion] = field(default_factory=list)

    @property
    def one_by_one(self) -> bool:
        return self.quiz.feedback == "each"

    @property
    def current(self) -> Question | None:
        """The question to answer now, one by one (None once every one is checked)."""
        return next((q for q in self.asked if q.id not in self.checked), None)

    submitting: bool = False  # sent to be stored, not to check one answer

    @property
    def form_questions(self) -> list[Question]:
        """The questions whose inputs the form holds: one by one, the question to check now,
        or on submit every question not checked yet (a form may answer all at once)."""
        if not self.one_by_one:
            return self.asked
        if self.submitting:
            return [q for q in self.asked if q.id not in self.checked]
        return [self.current] if self.current else []

    def with_checked(self, answers: dict[str, list[str]]) -> QuizPage:
        """This page after checking more answers, each with its feedback."""
        checked = {**self.checked, **answers}
        reviews = [
            attempts.check_answer(self.quiz, q.id, checked[q.id], self.revealed)
            for q in self.asked
            if q.id in checked
        ]
        return replace(self, checked=checked, reviews=reviews)


def load(user_id: int, quiz: Quiz, values: Mapping[str, str], submitting: bool = False) -> QuizPage:
    """The page for this request's values (query or form): `retake_of`, `attempt_number`,
    and in a feedback-each quiz the signed answers checked so far. `submitting`: the form was
    sent to be stored, not to check one answer."""
    retake_of = _number(values.get("retake_of"))
    asked_ids = None
    if values.get("retake_of"):
        asked_ids = attempts.missed_questions(user_id, quiz, retake_of) if retake_of else None
        if asked_ids is None:
            raise NoSuchRetake
    number = _number(values.get("attempt_number")) or (
        presentation.attempts_made(user_id, quiz.id) + 1
    )
    shown = quiz.presented(presentation.option_order(user_id, quiz, number))
    asked = [q for q in shown.questions if asked_ids is None or q.id in asked_ids]
    page = QuizPage(
        quiz=shown,
        asked=asked,
        attempt_number=number,
        retake_of=retake_of if asked_ids is not None else None,
        kept=len(quiz.questions) - len(asked),
        revealed=presentation.review_allowed(user_id, quiz),
        submitting=submitting,
    )
    if not page.one_by_one:
        return page
    checked = read_checked(values.get("attempt_token", ""), values.get("checked", ""))
    valid = {q.id: checked[q.id] for q in asked if isinstance(checked.get(q.id), list)}
    return page.with_checked(valid) if valid else page
