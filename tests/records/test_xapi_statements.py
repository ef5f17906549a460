"""The xAPI statements a submission queues, as stored: no learning record store needed."""

from __future__ import annotations

import json

from flask import Flask
from sqlalchemy import text

from app.content.kinds.base import XAPI_SEPARATOR
from app.extensions import db
from app.models import User
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
