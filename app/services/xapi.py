"""xAPI 1.0.3 statements about what learners do, queued in an outbox table.

Each statement is added to the session of the thing it records, so both are committed together or
not at all; `xapi_sender` posts them later. Statement ids are UUIDs derived from the event (see
statement_id) and stored with the statement, so a resend is the same statement. Statements are
queued whether or not an LRS is configured: turning xAPI on later sends the history too.
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import insert

from app.content import Module, Question, Quiz
from app.content.course import Course
from app.content.kinds.base import XAPI_SEPARATOR
from app.db import EncodedJSON
from app.extensions import db
from app.models import Attempt, Certificate, User, XapiStatement, utcnow

VERBS = {
    name: f"http://adlnet.gov/expapi/verbs/{name}"
    for name in ("experienced", "answered", "completed", "passed", "failed")
}
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
}
LANGUAGE = "en"


class GradedAnswerLike(Protocol):
    question_id: str
    selected: list[str]
    correct: bool | None


def instance_url() -> str:
    """The public address of this Rapport (RAPPORT_BASE_URL, else SERVER_NAME), no trailing /."""
    config = current_app.config
    if config.get("RAPPORT_BASE_URL"):
        return config["RAPPORT_BASE_URL"].rstrip("/")
    if config.get("SERVER_NAME"):
        return f"{config.get('PREFERRED_URL_SCHEME') or 'http'}://{config['SERVER_NAME']}"
    return "http://localhost"


@functools.lru_cache(maxsize=8)
def _namespace(base: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, base)


# Statements are stored as JSON text joined from parts encoded once (app.db.EncodedJSON), the
# same text json.dumps makes of the whole statement: a ten-question submission queues twelve
# statements that share the learner, the verb, the quiz and the course, and each question's
# definition is the same in every submission. Encoding them whole, statement by statement,
# cost about 0.3 ms per submission.
_encode = json.dumps
_VERB_JSON = {
    name: _encode({"id": verb_id, "display": {"en-US": name}}) for name, verb_id in VERBS.items()
}


def _activity(base: str, kind: str, path: str, name: str, **definition: Any) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": base + path,
        "definition": {"name": {LANGUAGE: name}, "type": ACTIVITY_TYPES[kind], **definition},
    }


def statement_id(namespace: uuid.UUID, seed: str, when: datetime) -> str:
    """The id of the statement `seed` names, for an event at `when` (naive UTC): a UUID of
    version 8 (RFC 9562's custom layout) that begins, as version 7 does, with the event's time in
    milliseconds, followed by 74 bits of the SHA-1 of the namespace and the seed.

    The same event always gets the same id, as with a version-5 UUID of the seed. Unlike those,
    which are scattered at random, the ids of one event, and of events close in time, sit side by
    side in the outbox's unique index: a submission's statements change one page of it instead of
    one page each (46 → 29 pages written to SQLite's WAL per submission; bench/README.md).
    """
    millis = int(when.replace(tzinfo=UTC).timestamp() * 1000) & (2**48 - 1)
    digest = hashlib.sha1(namespace.bytes + seed.encode()).digest()  # noqa: S324 - an id, as uuid5
    bits = int.from_bytes(digest[:10], "big")  # 80 bits, of which 74 are used
    value = (
        millis << 80
        | 0x8 << 76  # version 8
        | (bits >> 62 & 0xFFF) << 64
        | 0b10 << 62  # the RFC 4122 / 9562 variant
        | bits & (2**62 - 1)
    )
    return str(uuid.UUID(int=value))


class _Statements:
    """Builds the statements of one recorded event: the address, the id namespace, the actor,
    the course activity and the timestamp are worked out and encoded once per event, not once
    per statement (a submission queues one statement per question)."""

    def __init__(self, user_id: int, when: datetime) -> None:
        self.base = instance_url()
        self.namespace = _namespace(self.base)
        self.user_id = user_id
        self.actor = _encode(_actor(user_id, self.base, self.namespace))
        course: Course | None = current_app.extensions["rapport_catalogue"].course
        self.course = (
            self.activity("course", f"/course/{course.id}", course.title) if course else None
        )
        self.when = when
        self.timestamp = _encode(when.isoformat(timespec="milliseconds") + "Z")
        self.made: list[tuple[str, str, EncodedJSON]] = []  # (statement id, verb, statement)

    def activity(self, kind: str, path: str, name: str, **definition: Any) -> dict[str, Any]:
        return _activity(self.base, kind, path, name, **definition)

    def context(self, parent: dict[str, Any] | None = None, about_course: bool = False) -> str:
        """The encoded context of a statement: its parent activity, and the course as grouping
        unless the statement is about the course itself."""
        context: dict[str, Any] = {"platform": "Rapport", "language": LANGUAGE}
        activities: dict[str, Any] = {}
        if parent:
            activities["parent"] = [parent]
        if self.course and not about_course:
            activities["grouping"] = [self.course]
        if activities:
            context["contextActivities"] = activities
        return _encode(context)

    def add(self, seed: str, verb: str, obj: str, context: str, result: str | None = None) -> None:
        """One statement from its encoded object, context and result: the text json.dumps
        makes of {id, actor, verb, object, context, timestamp, result}."""
        made_id = statement_id(self.namespace, seed, self.when)
        text = (
            f'{{"id": "{made_id}", "actor": {self.actor}, "verb": {_VERB_JSON[verb]}, '
            f'"object": {obj}, "context": {context}, "timestamp": {self.timestamp}'
        )
        if result is not None:
            text += ', "result": ' + result
        self.made.append((made_id, verb, EncodedJSON(text + "}")))

    def queue(self) -> None:
        """Add the statements to the session's transaction, in one executemany."""
        now = utcnow()
        db.session.execute(
            _INSERT_STATEMENTS,
            [
                {
                    "statement_id": made_id,
                    "user_id": self.user_id,
                    "verb": verb,
                    "statement": statement,
                    "created_at": now,
                    "tries": 0,
                }
                for made_id, verb, statement in self.made
            ],
        )


# The table, not the ORM entity: a plain executemany, without the ORM's bulk-insert bookkeeping.
_INSERT_STATEMENTS = insert(XapiStatement.__table__)


def _actor(user_id: int, base: str, namespace: uuid.UUID) -> dict[str, Any]:
    """The learner as an xAPI account with an opaque id; their email only if the operator opts in."""
    if current_app.config.get("RAPPORT_XAPI_ACTOR_EMAIL"):
        user = db.session.get(User, user_id)
        return {"objectType": "Agent", "name": user.name, "mbox": f"mailto:{user.email}"}
    return {
        "objectType": "Agent",
        "account": {"homePage": base, "name": str(uuid.uuid5(namespace, f"learner:{user_id}"))},
    }


def lesson_experienced(user_id: int, module: Module, lesson_id: str, when: datetime) -> None:
    """Queue "experienced" for a lesson's first read (one per learner and lesson)."""
    lesson = module.lesson(lesson_id)
    statements = _Statements(user_id, when)
    obj = statements.activity("lesson", f"/modules/{module.id}/lessons/{lesson_id}", lesson.title)
    parent = statements.activity("lesson", f"/modules/{module.id}", module.title)
    parent["definition"]["type"] = "http://adlnet.gov/expapi/activities/module"
    seed = f"lesson-read:{user_id}:{module.id}:{lesson_id}"
    statements.add(seed, "experienced", _encode(obj), statements.context(parent))
    statements.queue()


@dataclass(frozen=True)
class _QuizParts:
    """What every submission of a quiz shares, encoded: the quiz activity, the context of its
    "answered" statements (the quiz as parent) and of its own, and each question's activity."""

    quiz: str
    answered_context: str
    quiz_context: str
    questions: dict[str, str]


# (address, id of the quiz) → (the quiz, the course, its parts); the quiz and the course are
# kept so that an id reused by a new catalogue's quiz is never mistaken for it.
_QUIZ_PARTS: dict[tuple[str, int], tuple[Quiz, Any, _QuizParts]] = {}


def _quiz_parts(statements: _Statements, quiz: Quiz) -> _QuizParts:
    """The quiz's shared parts, made once per address and catalogue."""
    key = (statements.base, id(quiz))
    found = _QUIZ_PARTS.get(key)
    if found is None or found[0] is not quiz or found[1] != statements.course:
        if len(_QUIZ_PARTS) >= 256:
            _QUIZ_PARTS.clear()
        activity = statements.activity("quiz", f"/quizzes/{quiz.id}", quiz.title)
        parts = _QuizParts(
            _encode(activity),
            statements.context(activity),
            statements.context(),
            {q.id: _encode(_question_activity(statements.base, quiz, q)) for q in quiz.questions},
        )
        found = (quiz, statements.course, parts)
        _QUIZ_PARTS[key] = found
    return found[2]


def _question_activity(base: str, quiz: Quiz, question: Question) -> dict[str, Any]:
    definition = {
        "description": {LANGUAGE: question.prompt},
        **question.question_kind.xapi_definition(question, LANGUAGE),
    }
    return _activity(
        base,
        "question",
        f"/quizzes/{quiz.id}/questions/{question.id}",
        f"{quiz.title}: {question.id}",
        **definition,
    )


def _score(attempt: Attempt) -> dict[str, Any]:
    if not attempt.max_score:
        return {}
    return {
        "score": {
            "scaled": round(attempt.score / attempt.max_score, 4),
            "raw": attempt.score,
            "min": 0,
            "max": attempt.max_score,
        }
    }


def attempt_submitted(attempt: Attempt, quiz: Quiz, answers: Sequence[GradedAnswerLike]) -> None:
    """Queue "answered" per question, "completed" for the attempt, and "passed" or "failed"."""
    statements = _Statements(attempt.user_id, attempt.submitted_at)
    parts = _quiz_parts(statements, quiz)
    seed = f"attempt:{attempt.id}"
    for answer in answers:
        # {"response": …, "success": …} as json.dumps writes it.
        result = '{"response": ' + _encode(XAPI_SEPARATOR.join(answer.selected))
        if answer.correct is not None:
            result += ', "success": true' if answer.correct else ', "success": false'
        statements.add(
            f"{seed}:answered:{answer.question_id}",
            "answered",
            parts.questions[answer.question_id],
            parts.answered_context,
            result + "}",
        )
    outcome = {**_score(attempt), "completion": True}
    if attempt.passed is not None:
        outcome["success"] = attempt.passed
    encoded = _encode(outcome)
    statements.add(f"{seed}:completed", "completed", parts.quiz, parts.quiz_context, encoded)
    if attempt.passed is not None:
        verb = "passed" if attempt.passed else "failed"
        statements.add(f"{seed}:{verb}", verb, parts.quiz, parts.quiz_context, encoded)
    statements.queue()


def course_completed(certificate: Certificate) -> None:
    """Queue "completed" for the course, when its certificate is issued."""
    statements = _Statements(certificate.user_id, certificate.issued_at)
    course = statements.course
    statements.add(
        f"certificate:{certificate.id}",
        "completed",
        _encode(course),
        statements.context(about_course=True),
        '{"completion": true}',
    )
    statements.queue()
