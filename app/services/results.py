"""Reading results: a learner's attempts, each with its answers and profile results, and their
history by quiz."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select

from app.content import Profile, Question, Quiz
from app.content.profile_schema import GridCell, Trait
from app.content.profiles import TrustReading, read_trust
from app.extensions import db
from app.models import Attempt
from app.services import presentation
from app.services.catalogue import get_catalogue


class StoredAnswer(Protocol):
    """An answer as stored: an Answer row, or a just-graded answer of a new attempt."""

    question_id: str
    question_version: str
    selected: list[str]
    correct: bool | None

    @property
    def earned(self) -> float | None: ...


def attempt_of(user_id: int, attempt_id: int) -> Attempt | None:
    """The attempt if it belongs to this user; None otherwise (callers answer 404)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user_id:
        return None
    return attempt


def attempts_of(user_id: int, quiz_id: str | None = None) -> list[Attempt]:
    query = select(Attempt).where(Attempt.user_id == user_id)
    if quiz_id is not None:
        query = query.where(Attempt.quiz_id == quiz_id)
    return list(db.session.scalars(query.order_by(Attempt.submitted_at.desc(), Attempt.id.desc())))


@dataclass(frozen=True)
class TraitScore:
    id: str
    label: str
    score: float | None


@dataclass(frozen=True)
class ProfileResult:
    """One profile result of an attempt, with the catalogue's labels and descriptions. Which
    fields apply depends on the profile's kind: traits (dominant), x, y and cell (grid), trust,
    scores and focus (trust-formula)."""

    profile: Profile
    stored: dict[str, Any]  # what read_profiles stored for this profile

    @property
    def id(self) -> str:
        return self.profile.id

    @property
    def title(self) -> str:
        return self.profile.title

    @property
    def kind(self) -> str:
        return self.profile.kind

    @property
    def totals(self) -> dict[str, Any]:
        return self.stored.get("totals", {})

    @property
    def traits(self) -> list[Trait]:
        found = (self.profile.trait(i) for i in self.stored.get("traits", []))
        return [t for t in found if t is not None]

    @property
    def x(self) -> str:
        return self.stored["x"]

    @property
    def y(self) -> str:
        return self.stored["y"]

    @property
    def cell(self) -> GridCell | None:
        return self.profile.cell(self.x, self.y)

    @property
    def reading(self) -> TrustReading:
        """The trust result worked out again from the stored factor scores, so results stored
        before the 0–100 scale display on it too."""
        return read_trust(self.stored["scores"])

    @property
    def trust(self) -> int:
        """The trust score shown, 0 to 100."""
        return round(self.reading.score)

    @property
    def scores(self) -> list[TraitScore]:
        given = self.stored["scores"]
        return [TraitScore(t.id, t.label, given.get(t.id)) for t in self.profile.traits]

    @property
    def focus(self) -> Trait | None:
        focus = self.reading.focus
        return self.profile.trait(focus) if focus else None


def describe_profiles(quiz: Quiz, stored: dict | None) -> list[ProfileResult]:
    """The stored profile results of an attempt, one per profile the quiz has and that was
    stored."""
    return [
        ProfileResult(profile, (stored or {})[profile.id])
        for profile in quiz.profiles
        if (stored or {}).get(profile.id) is not None
    ]


@dataclass(frozen=True)
class AnsweredQuestion:
    """One answer of an attempt with the question as the catalogue has it now, its options in
    the order the learner saw (None when the quiz no longer has that question). Until the
    quiz's review policy allows (`revealed`), a wrong answer hides the right options and an
    explanation that gives them away."""

    id: str
    question: Question | None
    correct: bool | None
    selected: list[str]
    question_version: str
    credit: float | None = None  # the share of the point earned; None when not marked
    revealed: bool = True

    @property
    def answer_hidden(self) -> bool:
        """Whether the right answer is kept back from the learner for now."""
        return not self.revealed and self.correct is False

    @property
    def partly_right(self) -> bool:
        return self.correct is False and bool(self.credit)

    @property
    def current_version(self) -> bool:
        """Whether the question is still the version that was answered."""
        return self.question is not None and self.question.version == self.question_version

    @property
    def kind(self) -> str | None:
        return self.question.kind if self.question else None

    @property
    def correct_option_ids(self) -> list[str] | None:
        if self.answer_hidden:
            return None
        return self.question.correct_option_ids if self.question else []

    @property
    def explanation_hidden(self) -> bool:
        return (
            self.answer_hidden
            and self.question is not None
            and self.question.explanation_gives_answer
        )

    @property
    def explanation(self) -> str | None:
        if self.question is None or self.explanation_hidden:
            return None
        return self.question.explanation

    @property
    def explanation_html(self) -> str | None:
        if self.question is None or self.explanation_hidden:
            return None
        return self.question.explanation_html

    @property
    def suggested_answer(self) -> str | None:
        return self.question.suggested_answer if self.question else None

    @property
    def feedback(self) -> dict[str, str]:
        """The feedback of each chosen option that has some."""
        if self.question is None:
            return {}
        return {
            o.id: o.feedback for o in self.question.options if o.feedback and o.id in self.selected
        }


@dataclass(frozen=True)
class AttemptResult:
    """An attempt with its answers and profile results, for the result page and the API."""

    attempt: Attempt
    questions: list[AnsweredQuestion]
    profile: list[ProfileResult]
    quiz: Quiz | None = None  # as the learner saw it (options in their order)
    review_allowed: bool = True

    @property
    def id(self) -> int:
        return self.attempt.id

    @property
    def retake_of_id(self) -> int | None:
        return self.attempt.retake_of_id

    @property
    def missed(self) -> list[AnsweredQuestion]:
        return [q for q in self.questions if q.correct is False]

    @property
    def quiz_id(self) -> str:
        return self.attempt.quiz_id

    @property
    def score(self) -> float:
        return self.attempt.score

    @property
    def max_score(self) -> int:
        return self.attempt.max_score

    @property
    def passed(self) -> bool | None:
        return self.attempt.passed

    @property
    def submitted_at(self) -> datetime:
        return self.attempt.submitted_at


def attempt_result(
    attempt: Attempt,
    answers: Sequence[StoredAnswer] | None = None,
    revealed: bool | None = None,
) -> AttemptResult:
    """An attempt with its answers and profile results.

    `answers` are the attempt's answers and `revealed` what the quiz's review policy allows when
    the caller knows them already (a new submission); otherwise they are read.
    """
    quiz = get_catalogue().quiz(attempt.quiz_id)
    shown = quiz.presented(attempt.option_order) if quiz else None
    if revealed is None:
        revealed = quiz is None or presentation.review_allowed(attempt.user_id, quiz)
    questions = [
        AnsweredQuestion(
            id=answer.question_id,
            question=shown.question(answer.question_id) if shown else None,
            correct=answer.correct,
            selected=list(answer.selected),
            question_version=answer.question_version,
            credit=answer.earned,
            revealed=revealed,
        )
        for answer in (attempt.answers if answers is None else answers)
    ]
    profile = describe_profiles(quiz, attempt.profile) if quiz else []
    return AttemptResult(attempt, questions, profile, shown, revealed)


def previous_profile(user_id: int, attempt: Attempt) -> list[ProfileResult] | None:
    """The profile result of the learner's attempt at the same quiz just before this one."""
    if attempt.profile is None:
        return None
    earlier = db.session.scalar(
        select(Attempt)
        .where(
            Attempt.user_id == user_id,
            Attempt.quiz_id == attempt.quiz_id,
            Attempt.id < attempt.id,
        )
        .order_by(Attempt.id.desc())
        .limit(1)
    )
    quiz = get_catalogue().quiz(attempt.quiz_id)
    if earlier is None or quiz is None:
        return None
    return describe_profiles(quiz, earlier.profile)


@dataclass(frozen=True)
class AttemptSummary:
    id: int
    score: float
    max_score: int
    passed: bool | None
    submitted_at: datetime
    profile: list[ProfileResult]
    retake_of_id: int | None = None


def history_by_quiz(user_id: int) -> dict[str, list[AttemptSummary]]:
    """Every attempt of the learner, grouped by quiz, newest first (one query)."""
    catalogue = get_catalogue()
    history: dict[str, list[AttemptSummary]] = {}
    rows = db.session.execute(
        select(
            Attempt.id,
            Attempt.quiz_id,
            Attempt.score,
            Attempt.max_score,
            Attempt.passed,
            Attempt.submitted_at,
            Attempt.profile,
            Attempt.retake_of_id,
        )
        .where(Attempt.user_id == user_id)
        .order_by(Attempt.submitted_at.desc(), Attempt.id.desc())
    )
    for attempt_id, quiz_id, score, max_score, passed, submitted, profile, retake_of in rows:
        quiz = catalogue.quiz(quiz_id)
        history.setdefault(quiz_id, []).append(
            AttemptSummary(
                id=attempt_id,
                score=score,
                max_score=max_score,
                passed=passed,
                submitted_at=submitted,
                profile=describe_profiles(quiz, profile) if quiz and profile else [],
                retake_of_id=retake_of,
            )
        )
    return history
