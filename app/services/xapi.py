"""xAPI 1.0.3 statements about what learners do, queued in an outbox table.

Each statement is added to the session of the thing it records, so both are committed together or
not at all; `xapi_sender` posts them later. Statement ids are UUIDs derived from the stored row,
so a resend is the same statement. Statements are queued whether or not an LRS is configured:
turning xAPI on later sends the history too.
"""

from __future__ import annotations

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
from app.models import Attempt, Certificate, User, XapiStatement

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


def _uuid(seed: str) -> str:
    return str(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, instance_url()), seed))


def actor(user_id: int) -> dict[str, Any]:
    """The learner as an xAPI account with an opaque id; their email only if the operator opts in."""
    if current_app.config.get("RAPPORT_XAPI_ACTOR_EMAIL"):
        user = db.session.get(User, user_id)
        return {"objectType": "Agent", "name": user.name, "mbox": f"mailto:{user.email}"}
    return {
        "objectType": "Agent",
        "account": {"homePage": instance_url(), "name": _uuid(f"learner:{user_id}")},
    }


def _activity(kind: str, path: str, name: str, **definition: Any) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": instance_url() + path,
        "definition": {"name": {LANGUAGE: name}, "type": ACTIVITY_TYPES[kind], **definition},
    }


def _course_activity() -> dict[str, Any] | None:
    course: Course | None = current_app.extensions["rapport_catalogue"].course
    return _activity("course", f"/course/{course.id}", course.title) if course else None


def _statement(
    seed: str, user_id: int, verb: str, obj: dict, when: datetime, **extra: Any
) -> dict[str, Any]:
    course = _course_activity()
    context: dict[str, Any] = {"platform": "Rapport", "language": LANGUAGE}
    parents = extra.pop("parent", None)
    activities: dict[str, Any] = {}
    if parents:
        activities["parent"] = [parents]
    if course and obj["id"] != course["id"]:
        activities["grouping"] = [course]
    if activities:
        context["contextActivities"] = activities
    return {
        "id": _uuid(seed),
        "actor": actor(user_id),
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": obj,
        "context": context,
        "timestamp": when.isoformat(timespec="milliseconds") + "Z",
        **extra,
    }


def _queue(user_id: int, statements: Sequence[dict[str, Any]]) -> None:
    db.session.execute(
        insert(XapiStatement),
        [
            {
                "statement_id": s["id"],
                "user_id": user_id,
                "verb": s["verb"]["display"]["en-US"],
                "statement": s,
                "tries": 0,
            }
            for s in statements
        ],
    )


def lesson_experienced(user_id: int, module: Module, lesson_id: str, when: datetime) -> None:
    """Queue "experienced" for a lesson's first read (one per learner and lesson)."""
    lesson = module.lesson(lesson_id)
    obj = _activity("lesson", f"/modules/{module.id}/lessons/{lesson_id}", lesson.title)
    parent = _activity("lesson", f"/modules/{module.id}", module.title)
    parent["definition"]["type"] = "http://adlnet.gov/expapi/activities/module"
    seed = f"lesson-read:{user_id}:{module.id}:{lesson_id}"
    _queue(user_id, [_statement(seed, user_id, "experienced", obj, when, parent=parent)])


def _question_activity(quiz: Quiz, question: Question) -> dict[str, Any]:
    definition = {
        "description": {LANGUAGE: question.prompt},
        **question.question_kind.xapi_definition(question, LANGUAGE),
    }
    return _activity(
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
    user_id, when = attempt.user_id, attempt.submitted_at
    quiz_activity = _activity("quiz", f"/quizzes/{quiz.id}", quiz.title)
    seed = f"attempt:{attempt.id}"
    statements = []
    for answer in answers:
        question = quiz.question(answer.question_id)
        result: dict[str, Any] = {"response": XAPI_SEPARATOR.join(answer.selected)}
        if answer.correct is not None:
            result["success"] = answer.correct
        statements.append(
            _statement(
                f"{seed}:answered:{answer.question_id}",
                user_id,
                "answered",
                _question_activity(quiz, question),
                when,
                parent=quiz_activity,
                result=result,
            )
        )
    outcome = {**_score(attempt), "completion": True}
    if attempt.passed is not None:
        outcome["success"] = attempt.passed
    statements.append(
        _statement(f"{seed}:completed", user_id, "completed", quiz_activity, when, result=outcome)
    )
    if attempt.passed is not None:
        verb = "passed" if attempt.passed else "failed"
        statements.append(
            _statement(f"{seed}:{verb}", user_id, verb, quiz_activity, when, result=outcome)
        )
    _queue(user_id, statements)


def course_completed(certificate: Certificate) -> None:
    """Queue "completed" for the course, when its certificate is issued."""
    course = _course_activity()
    statement = _statement(
        f"certificate:{certificate.id}",
        certificate.user_id,
        "completed",
        course,
        certificate.issued_at,
        result={"completion": True},
    )
    _queue(certificate.user_id, [statement])
