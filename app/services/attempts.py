"""Submitting quizzes: checking answers, grading them, storing attempts, and reading results."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from app.content import QUESTION_KINDS, Quiz, read_profiles
from app.db import begin_writing
from app.extensions import db
from app.models import Answer, Attempt, utcnow
from app.services import learning_records, presentation, results
from app.services.reporting import hooks


class AnswersRejected(ValueError):
    """The submitted answers cannot be graded; nothing was stored.

    `problems` maps a question id (or "answers" for the whole body) to what is wrong with it.
    """

    def __init__(self, code: str, message: str, problems: dict[str, str]) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.problems = problems


class IdempotencyConflict(ValueError):
    """The idempotency key was already used for a different submission."""


def check_answers(quiz: Quiz, answers: Any) -> dict[str, list[str]]:
    """The answers as {question id: [option ids]}, or AnswersRejected saying what is wrong."""
    if not isinstance(answers, dict):
        raise AnswersRejected(
            "invalid_answers",
            "`answers` must be an object mapping question ids to lists of option ids.",
            {"answers": "not an object"},
        )
    problems: dict[str, str] = {}
    clean: dict[str, list[str]] = {}
    for question_id, selected in answers.items():
        question = quiz.question(question_id) if isinstance(question_id, str) else None
        if question is None:
            problems[str(question_id)[:64]] = "no such question in this quiz"
            continue
        if not isinstance(selected, list) or not all(isinstance(o, str) for o in selected):
            problems[question_id] = "the answer must be a list of option ids"
            continue
        problem = QUESTION_KINDS[question.kind].answer_problem(question, selected)
        if problem:
            problems[question_id] = problem
            continue
        clean[question_id] = list(selected)
    if problems:
        raise AnswersRejected("invalid_answers", "Some answers are not valid.", problems)
    missing = [q.id for q in quiz.questions if q.id not in clean]
    if missing:
        raise AnswersRejected(
            "missing_answers",
            "Every question must be answered; missing: " + ", ".join(missing) + ".",
            {question_id: "not answered" for question_id in missing},
        )
    return clean


def kept_answers(user_id: int, quiz: Quiz, attempt_id: Any) -> dict[str, list[str]]:
    """The answers a retake of that attempt keeps: those that were right, to a question that has
    not changed since. AnswersRejected when the attempt cannot be retaken."""
    earlier = results.attempt_of(user_id, attempt_id) if type(attempt_id) is int else None
    if earlier is None or earlier.quiz_id != quiz.id or not quiz.is_graded:
        raise AnswersRejected(
            "invalid_retake",
            "`retake_of` must be the id of one of your attempts at this graded quiz.",
            {"retake_of": "not one of your attempts at this quiz"},
        )
    kept = {}
    for answer in earlier.answers:
        question = quiz.question(answer.question_id)
        if answer.correct and question is not None and question.version == answer.question_version:
            kept[answer.question_id] = list(answer.selected)
    if len(kept) == len(quiz.questions):
        raise AnswersRejected(
            "nothing_to_retake",
            "Every answer of that attempt was right: there is nothing to retake.",
            {"retake_of": "no question was missed"},
        )
    return kept


def missed_questions(user_id: int, quiz: Quiz, attempt_id: int) -> list[str] | None:
    """The ids of the questions a retake of that attempt asks again; None when it cannot be
    retaken (not the learner's, not graded, nothing missed)."""
    try:
        kept = kept_answers(user_id, quiz, attempt_id)
    except AnswersRejected:
        return None
    return [q.id for q in quiz.questions if q.id not in kept]


def _with_kept(answers: Any, kept: dict[str, list[str]]) -> Any:
    if not kept or not isinstance(answers, dict):
        return answers
    again = sorted(k for k in answers if k in kept)
    if again:
        raise AnswersRejected(
            "invalid_answers",
            "Some answers are not valid.",
            {k: "answered right in the attempt being retaken: that answer is kept" for k in again},
        )
    return {**answers, **kept}


def check_answer(
    quiz: Quiz, question_id: str, selected: Any, revealed: bool
) -> results.AnsweredQuestion:
    """One answer graded without storing anything (a feedback-each quiz checks its questions
    one by one before the whole is submitted); AnswersRejected when it is not valid."""
    check_answers(
        quiz.model_copy(update={"questions": [quiz.question(question_id)]}), {question_id: selected}
    )
    question = quiz.question(question_id)
    kind = QUESTION_KINDS[question.kind]
    credit = kind.credit(question, selected)
    return results.AnsweredQuestion(
        id=question_id,
        question=question,
        correct=kind.is_correct(question, selected),
        selected=list(selected),
        question_version=question.version,
        credit=None if credit is None else float(credit),
        revealed=revealed,
    )


def _fingerprint(quiz_id: str, answers: dict[str, list[str]], retake_of: int | None) -> str:
    body = json.dumps({"quiz": quiz_id, "answers": answers, "retake": retake_of}, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True)
class GradedAnswer:
    """One graded answer of a new attempt, as stored in its Answer row."""

    question_id: str
    question_version: str
    position: int
    selected: list[str]
    correct: bool | None
    credit: float | None = None  # the share of the point earned (None: not marked)

    @property
    def earned(self) -> float | None:
        return self.credit


@dataclass(frozen=True)
class Submission:
    attempt: Attempt
    replayed: bool  # True when an earlier submission with the same key was returned
    # The answers just stored, so the result is built without reading them back; None on replay.
    answers: list[GradedAnswer] | None = None
    # Whether the quiz's review policy shows the right answers now, known when the attempt was
    # stored; None on replay (then read when the result is built).
    revealed: bool | None = None

    def result(self) -> results.AttemptResult:
        """The attempt with its answers (see results.attempt_result)."""
        return results.attempt_result(self.attempt, self.answers, self.revealed)


def submit_attempt(
    user_id: int,
    quiz: Quiz,
    answers: Any,
    idempotency_key: str | None = None,
    started_at: datetime | None = None,
    attempt_number: int | None = None,
    retake_of: int | None = None,
) -> Submission:
    """Grade and store one attempt, all or nothing. A repeated key returns the first attempt.

    `attempt_number` says which option order the learner was shown (default: the next);
    `retake_of` an earlier attempt whose right answers are kept, so `answers` holds the others.
    Everything that needs no stored row (checking, grading) is done before the write lock is
    taken (app.db.begin_writing), so that other writers wait only for the writes.
    """
    kept = kept_answers(user_id, quiz, retake_of) if retake_of is not None else {}
    clean = check_answers(quiz, _with_kept(answers, kept))
    fingerprint = _fingerprint(quiz.id, clean, retake_of)
    graded, score = _grade(quiz, clean)
    max_score = quiz.max_score
    passed = (score * 100 >= (quiz.pass_mark or 0) * max_score) if quiz.is_graded else None
    profile = read_profiles(quiz, clean) if quiz.profiles else None
    begin_writing()
    if idempotency_key:
        earlier = _attempt_for_key(user_id, idempotency_key)
        if earlier is not None:
            return _replay(earlier, fingerprint)
    # Rows the caller has added but not flushed (a new cohort member, say) go first: what the
    # summaries depend on is read with Core statements, which do not flush the session as ORM
    # ones do.
    db.session.flush()
    before = hooks.attempt_coming(user_id, quiz.id)
    made, passes = before.made, before.passes
    number = attempt_number or made + 1
    now = utcnow()
    row = {
        "user_id": user_id,
        "quiz_id": quiz.id,
        "quiz_version": quiz.version,
        "score": float(score),
        "max_score": max_score,
        "passed": passed,
        "profile": profile,
        "started_at": started_at if started_at and started_at <= now else None,
        "submitted_at": now,
        "idempotency_key": idempotency_key,
        "request_fingerprint": fingerprint if idempotency_key else None,
        "option_order": presentation.option_order(user_id, quiz, number),
        "retake_of_id": retake_of,
    }
    revealed = presentation.review_allowed_after(quiz, made + 1, passes > 0 or passed is True)
    if not idempotency_key:
        attempt = _store(row, graded, before)
        return Submission(attempt, replayed=False, answers=graded, revealed=revealed)
    try:
        with db.session.begin_nested():
            attempt = _store(row, graded, before)
    except IntegrityError:
        # The same key won a race in another request: answer with that attempt instead.
        earlier = _attempt_for_key(user_id, idempotency_key)
        if earlier is None:
            raise
        return _replay(earlier, fingerprint)
    return Submission(attempt, replayed=False, answers=graded, revealed=revealed)


def _grade(quiz: Quiz, clean: dict[str, list[str]]) -> tuple[list[GradedAnswer], Fraction]:
    """Each answer graded by its question's kind, and the score (exact, so that the pass mark
    is never missed by a rounding error)."""
    graded, score = [], Fraction(0)
    for position, question in enumerate(quiz.questions):
        selected = clean[question.id]
        kind = QUESTION_KINDS[question.kind]
        credit = kind.credit(question, selected)
        score += credit or 0
        graded.append(
            GradedAnswer(
                question.id,
                question.version,
                position,
                selected,
                kind.is_correct(question, selected),
                None if credit is None else round(float(credit), 6),
            )
        )
    return graded, score


# Core inserts of the table rows, not the ORM's unit of work: the attempt and its answers are
# new rows that nothing in the session refers to, and the unit of work's bookkeeping cost more
# than the inserts themselves.
_INSERT_ATTEMPT = insert(Attempt.__table__)
_INSERT_ANSWERS = insert(Answer.__table__)


def _store(row: dict[str, Any], graded: list[GradedAnswer], before: hooks.Coming) -> Attempt:
    """Insert the attempt and its answers, count them in the summaries and queue their xAPI
    statements; the attempt, as a row of the session (as if it had been loaded)."""
    execute = db.session.execute
    attempt_id = execute(_INSERT_ATTEMPT, row).inserted_primary_key[0]
    execute(
        _INSERT_ANSWERS,
        [
            {
                "attempt_id": attempt_id,
                "question_id": answer.question_id,
                "question_version": answer.question_version,
                "position": answer.position,
                "selected": answer.selected,
                "correct": answer.correct,
                "credit": answer.credit,
            }
            for answer in graded
        ],
    )
    attempt = Attempt(id=attempt_id, **row)
    make_transient_to_detached(attempt)
    db.session.add(attempt)
    hooks.attempt_stored(attempt, graded, before)
    learning_records.attempt_stored(attempt, graded)
    return attempt


def _attempt_for_key(user_id: int, key: str) -> Attempt | None:
    return db.session.scalar(
        select(Attempt).where(Attempt.user_id == user_id, Attempt.idempotency_key == key)
    )


def _replay(earlier: Attempt, fingerprint: str) -> Submission:
    if earlier.request_fingerprint != fingerprint:
        raise IdempotencyConflict(
            "This idempotency key was already used for a different submission."
        )
    return Submission(earlier, replayed=True)
