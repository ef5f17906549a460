"""Production shows no traceback; logins, failures and refusals are logged without secrets."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

import pytest
from flask import Flask

from app.logging_setup import JsonFormatter
from tests.conftest import PASSWORD, PROJECT_ROOT, make_app, right_answers
from tests.security.conftest import sharing_the_test_transaction

SAMPLE = (
    PROJECT_ROOT / "tests" / "content" / "sample"
)  # a tiny course: content does not matter here


@pytest.fixture
def production(monkeypatch, database_url: str, app: Flask) -> Iterator[Flask]:
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    instance = make_app(
        database_url, RAPPORT_ENV="production", WTF_CSRF_ENABLED=False, CONTENT_DIR=SAMPLE
    )

    @instance.get("/_test/explode")
    def explode() -> str:
        raise RuntimeError("secret internal detail in /srv/rapport/app.py")

    @instance.get("/api/v1/_test/explode")
    def explode_json() -> str:
        raise KeyError("secret internal detail")

    with sharing_the_test_transaction(instance, app) as shared:
        yield shared


def test_production_hides_the_traceback(production, caplog):
    assert production.debug is False
    with caplog.at_level(logging.ERROR):
        response = production.test_client().get("/_test/explode")
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Something went wrong" in response.text
    for leak in ("Traceback", "RuntimeError", "secret internal detail", "/srv/rapport", ".py"):
        assert leak not in response.text
    logged = [r for r in caplog.records if r.exc_info]
    assert logged, "the error is logged for the operator"
    assert logged[0].exc_info[0] is RuntimeError


def test_production_hides_the_traceback_from_the_api(production):
    response = production.test_client().get("/api/v1/_test/explode")
    assert response.status_code == 500
    assert response.json == {
        "error": {
            "code": "internal_error",
            "message": "An unexpected error happened. It has been logged; please try again.",
        }
    }


def security_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "rapport.security"]


def test_logins_and_failed_logins_are_logged_with_the_user_id(client, learner, caplog):
    with caplog.at_level(logging.INFO, logger="rapport"):
        client.post("/auth/login", data={"email": learner.email, "password": "wrong password!"})
        client.post("/auth/login", data={"email": "nobody@example.com", "password": "wrong one!!"})
        client.post("/auth/login", data={"email": learner.email, "password": PASSWORD})
    records = security_records(caplog)
    assert [(r.getMessage(), r.user_id) for r in records] == [
        ("login failed", learner.id),
        ("login failed", None),
        ("login", learner.id),
    ]
    assert all(r.request_id for r in records)
    assert all(r.ip == "127.0.0.1" for r in records)


def test_refused_authorizations_are_logged(client, api, learner, caplog):
    with caplog.at_level(logging.INFO, logger="rapport"):
        client.get("/progress")  # not logged in: sent to the login page
        client.get("/api/v1/modules", headers={"Authorization": "Bearer rpt_stolen"})
        api.get("/modules")  # allowed: not a refusal
    refused = [r for r in security_records(caplog) if r.getMessage() == "authorization refused"]
    assert [(r.path, r.status) for r in refused] == [
        ("/progress", 302),
        ("/api/v1/modules", 401),
    ]


def test_rate_limiting_is_logged(client, learner, caplog):
    with caplog.at_level(logging.INFO, logger="rapport"):
        for number in range(31):  # the per-IP limit: 30 failures a minute
            client.post("/auth/login", data={"email": f"n{number}@example.com", "password": "x"})
    assert [r.status for r in security_records(caplog) if r.getMessage() == "rate limited"] == [429]


def test_every_request_is_logged_with_its_id_status_and_user(client, auth, learner, caplog):
    auth.login(learner.email)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="rapport.requests"):
        response = client.get("/progress", headers={"X-Request-Id": "req-42"})
    (record,) = [r for r in caplog.records if r.name == "rapport.requests"]
    assert record.request_id == "req-42" == response.headers["X-Request-Id"]
    assert (record.method, record.path, record.status) == ("GET", "/progress", 200)
    assert record.user_id == str(learner.id)
    assert record.ms >= 0


def test_no_password_token_or_answer_reaches_the_logs(client, make, catalogue, caplog):
    secret_password = "my very own secret phrase"
    with caplog.at_level(logging.DEBUG):
        client.post(
            "/auth/register",
            data={"name": "Logan", "email": "logan@example.com", "password": secret_password},
        )
        client.post("/auth/logout")
        client.post("/auth/login", data={"email": "logan@example.com", "password": "wrong " * 3})
        client.post("/auth/login", data={"email": "logan@example.com", "password": secret_password})
        user = make.user()
        token = make.token(user)
        quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
        answers = right_answers(quiz)
        client.post(
            f"/api/v1/quizzes/{quiz.id}/attempts?password={secret_password}",
            json={"answers": answers, "password": secret_password},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k1"},
        )
        client.get("/api/v1/modules", headers={"Authorization": f"Bearer {token}x"})
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    text = "\n".join(lines)
    assert lines
    assert secret_password not in text
    assert token not in text
    assert token[4:20] not in text
    assert json.dumps(answers) not in text
    for option_text in (o.text for q in quiz.questions for o in q.options if len(o.text) > 12):
        assert option_text not in text


def test_the_json_formatter_writes_utc_and_drops_secrets():
    record = logging.makeLogRecord(
        {
            "name": "rapport.security",
            "levelno": logging.WARNING,
            "levelname": "WARNING",
            "msg": "login failed",
            "created": 0.5,
            "user_id": 7,
            "password": "hunter2hunter2",
            "token": "rpt_abc",
            "answers": {"q": ["a"]},
        }
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry == {
        "time": "1970-01-01T00:00:00.500Z",
        "level": "WARNING",
        "logger": "rapport.security",
        "message": "login failed",
        "user_id": 7,
    }


def test_a_deployed_app_writes_one_json_object_per_line(monkeypatch, database_url, capsys):
    """Outside tests the app logs JSON lines on stderr, with the request id of each request."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    deployed = make_app(database_url, RAPPORT_ENV="development", CONTENT_DIR=SAMPLE)
    capsys.readouterr()
    deployed.test_client().get("/no/such/page", headers={"X-Request-Id": "trace-me"})
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    request_entry = next(e for e in entries if e["logger"] == "rapport.requests")
    assert request_entry["request_id"] == "trace-me"
    assert request_entry["status"] == 404
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", request_entry["time"])
