"""xAPI 1.0.3 statements about what learners do, queued in an outbox table.

Each statement is added to the session of the thing it records, so both are committed together or
not at all; `xapi_sender` posts them later. Statement ids are UUIDs derived from the stored row,
so a resend is the same statement. Statements are queued whether or not an LRS is configured:
turning xAPI on later sends the history too.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import insert

from app.content import Module, Question, Quiz
from app.content.course import Course
from app.content.kinds.base import XAPI_SEPARATOR
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


class _Statements:
    """Builds the statements of one recorded event: the address, the id namespace, the actor and
    the course activity are worked out once per event, not once per statement (a submission
    queues one statement per question; doing it per statement cost ~1 ms per submission)."""

    def __init__(self, user_id: int) -> None:
        self.base = instance_url()
        self.namespace = _namespace(self.base)
        self.user_id = user_id
        self.actor = _actor(user_id, self.base, self.namespace)
        course: Course | None = current_app.extensions["rapport_catalogue"].course
        self.course = (
            self.activity("course", f"/course/{course.id}", course.title) if course else None
        )
        self.made: list[dict[str, Any]] = []

    def uuid(self, seed: str) -> str:
        return str(uuid.uuid5(self.namespace, seed))

    def activity(self, kind: str, path: str, name: str, **definition: Any) -> dict[str, Any]:
        return {
            "objectType": "Activity",
            "id": self.base + path,
            "definition": {"name": {LANGUAGE: name}, "type": ACTIVITY_TYPES[kind], **definition},
        }

    def add(self, seed: str, verb: str, obj: dict, when: datetime, **extra: Any) -> None:
        context: dict[str, Any] = {"platform": "Rapport", "language": LANGUAGE}
        parent = extra.pop("parent", None)
        activities: dict[str, Any] = {}
        if parent:
            activities["parent"] = [parent]
        if self.course and obj["id"] != self.course["id"]:
            activities["grouping"] = [self.course]
        if activities:
            context["contextActivities"] = activities
        self.made.append(
            {
                "id": self.uuid(seed),
                "actor": self.actor,
                "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
                "object": obj,
                "context": context,
                "timestamp": when.isoformat(timespec="milliseconds") + "Z",
                **extra,
            }
        )

    def queue(self) -> None:
        """Add the statements to the session's transaction, in one executemany."""
        now = utcnow()
        db.session.execute(
            _INSERT_STATEMENTS,
            [
                {
                    "statement_id": s["id"],
                    "user_id": self.user_id,
                    "verb": s["verb"]["display"]["en-US"],
                    "statement": s,
                    "created_at": now,
                    "tries": 0,
                }
                for s in self.made
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
    statements = _Statements(user_id)
    obj = statements.activity("lesson", f"/modules/{module.id}/lessons/{lesson_id}", lesson.title)
    parent = statements.activity("lesson", f"/modules/{module.id}", module.title)
    parent["definition"]["type"] = "http://adlnet.gov/expapi/activities/module"
    seed = f"lesson-read:{user_id}:{module.id}:{lesson_id}"
    statements.add(seed, "experienced", obj, when, parent=parent)
    statements.queue()


def _question_activity(statements: _Statements, quiz: Quiz, question: Question) -> dict[str, Any]:
    definition = {
        "description": {LANGUAGE: question.prompt},
        **question.question_kind.xapi_definition(question, LANGUAGE),
    }
    return statements.activity(
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
    when = attempt.submitted_at
    statements = _Statements(attempt.user_id)
    quiz_activity = statements.activity("quiz", f"/quizzes/{quiz.id}", quiz.title)
    seed = f"attempt:{attempt.id}"
    for answer in answers:
        result: dict[str, Any] = {"response": XAPI_SEPARATOR.join(answer.selected)}
        if answer.correct is not None:
            result["success"] = answer.correct
        statements.add(
            f"{seed}:answered:{answer.question_id}",
            "answered",
            _question_activity(statements, quiz, quiz.question(answer.question_id)),
            when,
            parent=quiz_activity,
            result=result,
        )
    outcome = {**_score(attempt), "completion": True}
    if attempt.passed is not None:
        outcome["success"] = attempt.passed
    statements.add(f"{seed}:completed", "completed", quiz_activity, when, result=outcome)
    if attempt.passed is not None:
        verb = "passed" if attempt.passed else "failed"
        statements.add(f"{seed}:{verb}", verb, quiz_activity, when, result=outcome)
    statements.queue()


def course_completed(certificate: Certificate) -> None:
    """Queue "completed" for the course, when its certificate is issued."""
    statements = _Statements(certificate.user_id)
    statements.add(
        f"certificate:{certificate.id}",
        "completed",
        statements.course,
        certificate.issued_at,
        result={"completion": True},
    )
    statements.queue()
