"""The cohort's learners and one learner's drill-down: every attempt with every answer, and
every answer of the cohort streamed for the CSV export. Computed live only (no summaries)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Date, Text, bindparam, case, cast, func, literal, null, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import selectinload

from app.content import Quiz
from app.extensions import db
from app.models import Answer, Attempt, Certificate, CohortMember, User
from app.services.catalogue import get_catalogue
from app.services.reporting.certificates import newest_certificate
from app.services.reporting.common import ReportFilter, dialect


class LearnerRef(NamedTuple):
    """A learner of the cohort (a named tuple: a report may hold ten thousand of them)."""

    id: int
    name: str
    email: str
    active: bool
    joined_at: datetime


_USER = User.__table__
_MEMBER = CohortMember.__table__
_CERTIFICATE = Certificate.__table__
_COHORT_LEARNERS = (
    select(_USER.c.id, _USER.c.name, _USER.c.email, _USER.c.active, _MEMBER.c.joined_at)
    .join(_MEMBER, _MEMBER.c.user_id == _USER.c.id)
    .where(_MEMBER.c.cohort_id == bindparam("cohort_id"), _MEMBER.c.role == "learner")
    .order_by(_USER.c.name, _USER.c.id)
)


def cohort_learners(f: ReportFilter) -> list[LearnerRef]:
    """The cohort's learners, by name. Core rows on the tables made into named tuples: for
    10,000 learners the ORM's row handling alone took five times as long as the query (Core
    rows: ~20 ms on SQLite)."""
    db.session.flush()  # as an ORM query would: a Core statement sees only flushed changes
    rows = db.session.execute(_COHORT_LEARNERS, {"cohort_id": f.cohort_id}).all()
    return [LearnerRef._make(row) for row in rows]


def by_name_key(learner: LearnerRef) -> tuple[str, int]:
    """The order trainers see learners in: by name, whatever the case (the same on every
    database), then by id."""
    return learner.name.casefold(), learner.id


def learner_count(f: ReportFilter) -> int:
    """How many learners the cohort has."""
    return db.session.scalar(select(func.count()).select_from(f.learner_ids().subquery())) or 0


def _certificate_columns(postgresql: bool) -> list[Any]:
    """Issued on (a date), code, revoked: NULL without a certificate; revoked is JSON text on
    SQLite (its json_object has no booleans of its own)."""
    cert = _CERTIFICATE.c
    none = cert.id.is_(None)
    if postgresql:
        issued = cast(cert.issued_at, Date)
        revoked = case((none, null()), else_=cert.revoked_at.is_not(None))
    else:
        issued = func.date(cert.issued_at)
        revoked = case((none, null()), (cert.revoked_at.is_(None), "false"), else_="true")
    return [issued, cert.code, revoked]


def learners_json_text(f: ReportFilter, keys: Sequence[str]) -> str:
    """The cohort's learners by name as a JSON array of objects with `keys` for their id, name,
    email and their newest certificate's issue date, code and revoked (null without one),
    written by the database: one row instead of Python objects for each of ten thousand
    learners (building those, and the garbage collections they set off, cost more than the
    rest of the report)."""
    postgresql = dialect() == "postgresql"
    values = [_USER.c.id, _USER.c.name, _USER.c.email, *_certificate_columns(postgresql)]
    ordered = (
        select(*(c.label(key) for c, key in zip(values, keys, strict=True)))
        .select_from(_USER)
        .join(_MEMBER, _MEMBER.c.user_id == _USER.c.id)
        .outerjoin(_CERTIFICATE, _CERTIFICATE.c.id == newest_certificate(f, _USER.c.id))
        .where(_MEMBER.c.cohort_id == f.cohort_id, _MEMBER.c.role == "learner")
        .order_by(_USER.c.name, _USER.c.id)
        .subquery("learner")
    )
    columns = list(ordered.c)
    if postgresql:  # row_to_json writes compact objects, as Python does
        row = cast(func.row_to_json(ordered.table_valued()), Text)
        order = aggregate_order_by(literal(","), columns[1], columns[0])
        array = func.concat("[", func.string_agg(row, order), "]")
    else:  # SQLite aggregates the rows of an ordered subquery in its order
        columns[-1] = func.json(columns[-1])
        fields = [part for key, c in zip(keys, columns, strict=True) for part in (literal(key), c)]
        array = func.json_group_array(func.json_object(*fields))
    db.session.flush()  # as an ORM query would: a Core statement sees only flushed changes
    return db.session.scalar(select(cast(array, Text)).select_from(ordered)) or "[]"


# ------------------------------------------------------------------------------ one learner


@dataclass(frozen=True)
class AnswerView:
    question_id: str
    prompt: str
    kind: str | None
    selected: list[tuple[str, str]]  # (option id, text as the learner saw it today)
    correct: bool | None
    current_version: bool
    question_version: str
    right_answer: list[str]
    credit: float | None = None  # the share of the point earned
    shown: list[tuple[str, str]] | None = None  # (option id, text) in the order the learner saw


@dataclass(frozen=True)
class AttemptView:
    attempt: Attempt
    quiz_title: str
    number: int  # 1 for the learner's first attempt at this quiz
    seconds: int | None  # time taken, when the start is known
    answers: list[AnswerView]


def _answer_view(quiz: Quiz | None, answer: Answer) -> AnswerView:
    # The quiz as this attempt showed it: its options in the learner's order.
    question = quiz.question(answer.question_id) if quiz else None
    texts = {o.id: o.text for o in question.options} if question else {}
    right = question.correct_option_ids if question and question.graded else []
    return AnswerView(
        question_id=answer.question_id,
        prompt=question.prompt if question else answer.question_id,
        kind=question.kind if question else None,
        selected=[(o, texts.get(o, o)) for o in answer.selected],
        correct=answer.correct,
        current_version=question is not None and question.version == answer.question_version,
        question_version=answer.question_version,
        right_answer=[texts.get(o, o) for o in right],
        credit=answer.earned,
        shown=[(o.id, o.text) for o in question.display_options] if question else None,
    )


def since_joining(f: ReportFilter) -> Any:
    """Attempts made while a learner of this cohort: what joining (or accepting an invitation)
    consents to; answers given before, for another cohort or alone, stay the learner's own."""
    return (
        select(_MEMBER.c.user_id)
        .where(
            _MEMBER.c.cohort_id == f.cohort_id,
            _MEMBER.c.role == "learner",
            _MEMBER.c.user_id == Attempt.user_id,
            _MEMBER.c.joined_at <= Attempt.submitted_at,
        )
        .exists()
    )


def learner_attempts(f: ReportFilter, user_id: int) -> list[AttemptView]:
    """Every attempt of the learner within the range since they joined the cohort, newest
    first, with every answer."""
    catalogue = get_catalogue()
    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.user_id == user_id, *f.in_range(Attempt.submitted_at), since_joining(f))
        .options(selectinload(Attempt.answers))
        .order_by(Attempt.submitted_at, Attempt.id)
    ).all()
    numbers: Counter = Counter()
    views = []
    for attempt in attempts:
        numbers[attempt.quiz_id] += 1
        quiz = catalogue.quiz(attempt.quiz_id)
        shown = quiz.presented(attempt.option_order) if quiz else None
        started = attempt.started_at
        views.append(
            AttemptView(
                attempt,
                quiz.title if quiz else attempt.quiz_id,
                numbers[attempt.quiz_id],
                int((attempt.submitted_at - started).total_seconds()) if started else None,
                [_answer_view(shown, answer) for answer in attempt.answers],
            )
        )
    views.reverse()
    return views


def answer_rows(f: ReportFilter) -> Iterator[Any]:
    """Every answer of the cohort's learners within the range since they joined, streamed for
    the CSV export:
    (user id, name, email, attempt id, quiz id, submitted_at, question id, version, selected,
    correct, credit, retake_of_id, option_order)."""
    statement = (
        select(User.id, User.name, User.email, Attempt.id, Attempt.quiz_id, Attempt.submitted_at)
        .add_columns(Answer.question_id, Answer.question_version, Answer.selected, Answer.correct)
        .add_columns(Answer.credit, Attempt.retake_of_id, Attempt.option_order)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(User, User.id == Attempt.user_id)
        .where(*f.attempts(), since_joining(f))
        .order_by(User.name, User.id, Attempt.submitted_at, Attempt.id, Answer.position)
        .execution_options(yield_per=2000)
    )
    yield from db.session.execute(statement)
