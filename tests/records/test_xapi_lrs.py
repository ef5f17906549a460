"""xAPI statements against a real learning record store (Ralph): they arrive, validate, survive
the LRS being down, and are sent once even with two senders at the same time."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.content import Catalogue
from app.extensions import db
from app.models import XapiStatement
from tests.conftest import PROJECT_ROOT, Api, Factory, right_answers
from tests.records.conftest import Lrs, fail_quiz, free_port

pytestmark = pytest.mark.usefixtures("committed_db")


@pytest.fixture
def xapi_on(app: Flask, lrs: Lrs, monkeypatch: pytest.MonkeyPatch) -> str:
    """xAPI pointed at Ralph, with an instance URL of its own so ids never meet other tests'."""
    base = f"https://rapport-{secrets.token_hex(4)}.example.org"
    monkeypatch.setitem(app.config, "RAPPORT_BASE_URL", base)
    monkeypatch.setitem(app.config, "RAPPORT_XAPI_ENDPOINT", lrs.endpoint)
    monkeypatch.setitem(app.config, "RAPPORT_XAPI_USERNAME", "rapport")
    monkeypatch.setitem(app.config, "RAPPORT_XAPI_PASSWORD", "lrs-test-password")
    monkeypatch.setitem(app.config, "RAPPORT_XAPI_RETRY_SECONDS", 0)
    return base


def _queued(app: Flask, user_id: int | None = None) -> dict[str, dict]:
    with app.app_context():
        query = select(XapiStatement)
        if user_id is not None:
            query = query.where(XapiStatement.user_id == user_id)
        return {row.statement_id: row.statement for row in db.session.scalars(query)}


def _pending(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(XapiStatement).where(XapiStatement.sent_at.is_(None))
        )


def _learn_something(app: Flask, make: Factory, catalogue: Catalogue) -> tuple[int, Api]:
    """A learner reads a lesson, passes one graded quiz, fails another and takes a self-assessment."""
    user = make.user()
    api = Api(app.test_client(), make.token(user))
    module = catalogue.modules[0]
    api.get(f"/modules/{module.id}/lessons/{module.lessons[0].id}")
    graded = [q for q in catalogue.quizzes.values() if q.is_graded]
    api.post(f"/quizzes/{graded[0].id}/attempts", json={"answers": right_answers(graded[0])})
    fail_quiz(api, graded[1])
    self_assessment = next(q for q in catalogue.quizzes.values() if not q.is_graded)
    api.post(
        f"/quizzes/{self_assessment.id}/attempts",
        json={"answers": right_answers(self_assessment)},
    )
    return user.id, api


def test_statements_arrive_and_match_what_the_learner_did(
    app: Flask, make: Factory, catalogue: Catalogue, runner, lrs: Lrs, xapi_on: str
):
    user_id, _ = _learn_something(app, make, catalogue)
    queued = _queued(app, user_id)
    result = runner.invoke(args=["xapi", "send"])
    assert result.exit_code == 0, result.output
    assert _pending(app) == 0
    actor = next(iter(queued.values()))["actor"]
    assert actor["account"]["homePage"] == xapi_on
    assert "@" not in str(actor), "the learner's email never leaves Rapport by default"
    stored = {s["id"]: s for s in lrs.statements({"account": actor["account"]})}
    assert set(stored) == set(queued)
    verbs = sorted(s["verb"]["id"].rsplit("/", 1)[1] for s in stored.values())
    graded = [q for q in catalogue.quizzes.values() if q.is_graded]
    self_assessment = next(q for q in catalogue.quizzes.values() if not q.is_graded)
    answered = len(graded[0].questions) + len(graded[1].questions) + len(self_assessment.questions)
    assert verbs == sorted(
        ["experienced"] + ["answered"] * answered + ["completed"] * 3 + ["passed", "failed"]
    )
    for statement in stored.values():
        assert statement["object"]["id"].startswith(xapi_on + "/")
        assert statement["object"]["definition"]["name"]
    passed = next(s for s in stored.values() if s["verb"]["id"].endswith("/passed"))
    assert passed["object"]["id"] == f"{xapi_on}/quizzes/{graded[0].id}"
    assert passed["result"]["score"]["scaled"] == 1
    failed = next(s for s in stored.values() if s["verb"]["id"].endswith("/failed"))
    assert failed["result"]["success"] is False
    question = graded[0].graded_questions[0]
    answer = next(
        s
        for s in stored.values()
        if s["object"]["id"] == f"{xapi_on}/quizzes/{graded[0].id}/questions/{question.id}"
    )
    definition = answer["object"]["definition"]
    assert definition["interactionType"] in ("choice", "sequencing")
    assert [c["id"] for c in definition["choices"]] == question.option_ids
    assert answer["result"] == {
        "response": "[,]".join(right_answers(graded[0])[question.id]),
        "success": True,
    }
    status = runner.invoke(args=["xapi", "status"])
    assert "pending: 0" in status.output


def test_nothing_is_lost_while_the_lrs_is_down(
    app: Flask,
    make: Factory,
    catalogue: Catalogue,
    runner,
    lrs: Lrs,
    xapi_on: str,
    monkeypatch: pytest.MonkeyPatch,
):
    user_id, _ = _learn_something(app, make, catalogue)
    queued = _queued(app, user_id)
    monkeypatch.setitem(
        app.config, "RAPPORT_XAPI_ENDPOINT", f"http://127.0.0.1:{free_port()}/xAPI/"
    )
    down = runner.invoke(args=["xapi", "send"])
    assert down.exit_code == 1
    assert _pending(app) == len(queued)
    status = runner.invoke(args=["xapi", "status"])
    assert f"pending: {len(queued)}" in status.output
    assert "last error: URLError" in status.output
    monkeypatch.setitem(app.config, "RAPPORT_XAPI_ENDPOINT", lrs.endpoint)
    back = runner.invoke(args=["xapi", "send"])
    assert back.exit_code == 0, back.output
    actor = next(iter(queued.values()))["actor"]
    assert {s["id"] for s in lrs.statements({"account": actor["account"]})} == set(queued)


def test_two_senders_at_once_send_each_statement_once(
    app: Flask, make: Factory, catalogue: Catalogue, lrs: Lrs, xapi_on: str, database_url: str
):
    learners = [_learn_something(app, make, catalogue)[0] for _ in range(3)]
    queued = _queued(app)
    env = {
        **os.environ,
        "RAPPORT_ENV": "testing",
        "DATABASE_URL": database_url,
        "RAPPORT_CONTENT_DIR": str(PROJECT_ROOT),
        "RAPPORT_BASE_URL": xapi_on,
        "RAPPORT_XAPI_ENDPOINT": lrs.endpoint,
        "RAPPORT_XAPI_USERNAME": "rapport",
        "RAPPORT_XAPI_PASSWORD": "lrs-test-password",
        "RAPPORT_XAPI_BATCH_SIZE": "7",
    }
    flask = [sys.executable, "-m", "flask", "--app", "run", "xapi", "send"]
    senders = [
        subprocess.Popen(flask, env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [sender.communicate(timeout=120)[0] for sender in senders]
    assert [sender.returncode for sender in senders] == [0, 0], outputs
    sent = [int(re.search(r"sent (\d+)", output).group(1)) for output in outputs]
    assert sum(sent) == len(queued), f"each statement posted once: {sent} of {len(queued)}"
    assert _pending(app) == 0
    with app.app_context():
        account_of = {
            user_id: next(
                row.statement["actor"]["account"]
                for row in db.session.scalars(
                    select(XapiStatement).where(XapiStatement.user_id == user_id).limit(1)
                )
            )
            for user_id in learners
        }
    in_lrs = [
        s["id"] for user_id in learners for s in lrs.statements({"account": account_of[user_id]})
    ]
    assert sorted(in_lrs) == sorted(queued)


def test_with_xapi_off_statements_wait_and_send_says_so(
    app: Flask, make: Factory, catalogue, runner
):
    _learn_something(app, make, catalogue)
    result = runner.invoke(args=["xapi", "send"])
    assert result.exit_code == 0
    assert "xAPI is off" in result.output
    assert _pending(app) > 0
