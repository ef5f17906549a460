"""The xAPI statements a submission queues, as stored: no learning record store needed."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import text

from app.content.kinds.base import XAPI_SEPARATOR
from app.extensions import db
from app.models import User
from app.services.xapi import statement_id
from tests.conftest import Api, right_answers, wrong_answers


def stored_statements(app: Flask, user_id: int) -> list[tuple[str, str]]:
    """(verb, statement as stored, unparsed) for each of the user's queued statements."""
    with app.app_context():
        return [
            (verb, statement)
            for verb, statement in db.session.execute(
                text(
                    "SELECT verb, CAST(statement AS TEXT) FROM xapi_statement"
                    " WHERE user_id = :user_id ORDER BY id"
                ),
                {"user_id": user_id},
            )
        ]


def test_a_submission_queues_one_statement_per_answer_then_its_outcome(
    api: Api, app: Flask, learner: User, catalogue
):
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    missed = quiz.graded_questions[0].id
    answers = {**right_answers(quiz), missed: wrong_answers(quiz)[missed]}
    response = api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": answers})
    assert response.status_code == 201
    outcome = "passed" if response.json["passed"] else "failed"
    rows = stored_statements(app, learner.id)
    assert [verb for verb, _ in rows] == ["answered"] * len(quiz.questions) + [
        "completed",
        outcome,
    ]
    statements = [json.loads(stored) for _, stored in rows]
    for (verb, stored), statement in zip(rows, statements, strict=True):
        # Written as json.dumps writes the whole statement, its keys in the order xAPI lists them.
        assert stored == json.dumps(statement)
        assert list(statement) == [
            "id",
            "actor",
            "verb",
            "object",
            "context",
            "timestamp",
            "result",
        ]
        assert statement["verb"]["display"] == {"en-US": verb}
        assert statement["actor"] == statements[0]["actor"]
        assert statement["timestamp"] == statements[0]["timestamp"]
    assert len({s["id"] for s in statements}) == len(statements)
    quiz_url = statements[-1]["object"]["id"]
    assert quiz_url.endswith(f"/quizzes/{quiz.id}")
    for statement, question in zip(statements, quiz.questions, strict=False):
        assert statement["object"]["id"] == f"{quiz_url}/questions/{question.id}"
        assert statement["object"]["definition"]["description"] == {"en": question.prompt}
        assert statement["context"]["contextActivities"]["parent"][0]["id"] == quiz_url
        expected = {"response": XAPI_SEPARATOR.join(answers[question.id])}
        if question.graded:  # a profile question is neither right nor wrong
            expected["success"] = question.id != missed
        assert statement["result"] == expected
    for statement in statements[-2:]:
        assert "parent" not in statement["context"]["contextActivities"]
        assert statement["result"]["score"]["raw"] == response.json["score"]
        assert statement["result"]["success"] is response.json["passed"]
        assert statement["result"]["completion"] is True


def test_statement_ids_begin_with_the_time_of_their_event(
    api: Api, app: Flask, learner: User, catalogue
):
    """Version-8 UUIDs led by the event's time in milliseconds: a submission's statements sit
    together in the outbox's unique index, and a later event's ids sort after an earlier one's."""
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    submitted = []
    for _ in range(2):
        response = api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": right_answers(quiz)})
        assert response.status_code == 201
        submitted.append(datetime.fromisoformat(response.json["submitted_at"].replace("Z", "")))
    ids = [json.loads(stored)["id"] for _verb, stored in stored_statements(app, learner.id)]
    assert len(set(ids)) == len(ids)
    per_attempt = len(ids) // 2
    for position, made_id in enumerate(ids):
        parsed = uuid.UUID(made_id)
        assert str(parsed) == made_id
        assert (parsed.version, parsed.variant) == (8, uuid.RFC_4122)
        when = submitted[position // per_attempt].replace(tzinfo=UTC)
        assert parsed.int >> 80 == int(when.timestamp() * 1000)
    assert max(ids[:per_attempt]) < min(ids[per_attempt:]) or submitted[0] == submitted[1]


def test_the_same_event_gets_the_same_statement_id():
    """A statement made again for the same event (a resend, a re-queue) keeps its id."""
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "https://rapport.example")
    when = datetime(2026, 12, 3, 20, 0, 0, 123000)
    first = statement_id(namespace, "attempt:7:completed", when)
    assert statement_id(namespace, "attempt:7:completed", when) == first
    assert statement_id(namespace, "attempt:7:passed", when) != first
    assert statement_id(namespace, "attempt:8:completed", when) != first
    other_site = uuid.uuid5(uuid.NAMESPACE_URL, "https://elsewhere.example")
    assert statement_id(other_site, "attempt:7:completed", when) != first
