"""Hostile input: markup is escaped, sizes are limited, and clients cannot set protected fields."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, Attempt, User
from tests.conftest import PASSWORD, make_app, quiz_form_data, right_answers, wrong_answers
from tests.security.conftest import sharing_the_test_transaction

SAMPLE = Path(__file__).resolve().parents[1] / "content" / "sample"
SCRIPT = "<script>alert(1)</script>"


def rows(app: Flask, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.found.append((tag, dict(attrs)))


def assert_no_live_markup(html: str) -> None:
    """No inline script, no event-handler attribute, no javascript: URL; the text is visible."""
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        if tag == "script":
            assert (attrs.get("src") or "").startswith("/static/"), attrs
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src", "action"):
            assert not (attrs.get(name) or "").strip().lower().startswith("javascript:")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_script_in_a_name_is_shown_as_text(client, app):
    response = client.post(
        "/auth/register",
        data={"name": SCRIPT, "email": "mallory@example.com", "password": PASSWORD},
    )
    assert response.status_code == 303
    client.post("/auth/login", data={"email": "mallory@example.com", "password": PASSWORD})
    assert_no_live_markup(client.get("/").text)
    assert_no_live_markup(client.get("/auth/account").text)


def test_a_script_in_a_rejected_form_value_is_shown_as_text(client):
    response = client.post(
        "/auth/register", data={"name": "M", "email": SCRIPT, "password": PASSWORD}
    )
    assert response.status_code == 422
    assert "<script>alert" not in response.text


@pytest.fixture
def hostile_content_app(tmp_path: Path, database_url: str, app: Flask) -> Iterator[Flask]:
    """A course whose titles, prompts and options carry markup (Markdown bodies cannot: the
    loader refuses raw HTML in them, which the content tests cover)."""
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    module = content / "modules" / "basics.yaml"
    module.write_text(
        module.read_text()
        .replace("title: Basics\n", f'title: "{SCRIPT} Basics"\n', 1)
        .replace("title: First lesson\n", f'title: "{SCRIPT}"\n', 1)
        .replace("Some **bold** text.", "Some **bold** text. [x](javascript:alert(3))", 1)
    )
    quiz = content / "quizzes" / "basics-check.yaml"
    quiz.write_text(
        quiz.read_text()
        .replace("prompt: Pick A.\n", f'prompt: "Pick A. {SCRIPT}"\n', 1)
        .replace(
            "{id: b, text: B, feedback: Not B.}",
            '{id: b, text: "<b onmouseover=alert(6)>B</b>", feedback: "' + SCRIPT + '"}',
            1,
        )
    )
    other = make_app(database_url, CONTENT_DIR=content)
    with sharing_the_test_transaction(other, app) as shared:
        yield shared


def test_markup_in_course_content_never_runs(hostile_content_app, make):
    user = make.user(name=SCRIPT)
    client = hostile_content_app.test_client()
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    pages = ["/", "/modules/basics", "/modules/basics/lessons/first", "/quizzes/basics-check"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_live_markup(response.text)
        assert "javascript:" not in response.text.replace("[x](javascript:alert(3))", "")
    catalogue = hostile_content_app.extensions["rapport_catalogue"]
    quiz = catalogue.quiz("basics-check")
    answers = right_answers(quiz)
    answers["one"] = ["b"]  # the wrong option, whose feedback is shown on the result page
    response = client.post(
        "/quizzes/basics-check", data=quiz_form_data(quiz, answers, "1.x"), follow_redirects=True
    )
    assert response.status_code == 200
    assert_no_live_markup(response.text)


def test_a_request_larger_than_the_limit_is_413_with_a_message(client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        "/auth/login", data={"email": "a@example.com", "password": "x" * (limit + 1)}
    )
    assert response.status_code == 413
    assert "larger than Rapport accepts" in response.text


def test_a_large_multipart_field_is_413(client, app):
    size = app.config["MAX_FORM_MEMORY_SIZE"] + 1
    assert size < app.config["MAX_CONTENT_LENGTH"]
    boundary = "rapport-test-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\n'
        + "n" * size
        + f"\r\n--{boundary}--\r\n"
    ).encode()
    response = client.post(
        "/auth/register",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413
    assert "larger than Rapport accepts" in response.text


def test_an_api_body_larger_than_the_limit_is_413_json(api, app, catalogue):
    quiz = next(iter(catalogue.quizzes.values()))
    body = json.dumps({"answers": {"x": ["y" * (app.config["MAX_CONTENT_LENGTH"] + 1)]}})
    response = api.client.post(
        f"/api/v1/quizzes/{quiz.id}/attempts",
        data=body,
        headers={**api.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
    assert rows(app, Attempt) == 0


@pytest.mark.parametrize(
    "extra",
    [
        {"user_id": 1},
        {"score": 999},
        {"max_score": 1},
        {"passed": True},
        {"correct": True},
        {"role": "admin"},
        {"cohort": 1},
        {"cohort_id": 1},
        {"id": 5},
    ],
)
def test_the_api_refuses_fields_a_client_must_not_set(api, app, catalogue, extra):
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    response = api.post(
        f"/quizzes/{quiz.id}/attempts", json={"answers": wrong_answers(quiz), **extra}
    )
    assert response.status_code == 422
    assert response.json["error"]["code"] == "unknown_fields"
    assert next(iter(extra)) in response.json["error"]["message"]
    assert rows(app, Attempt) == 0


def test_an_answer_cannot_smuggle_its_own_correctness(api, app, catalogue):
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    answers = {q: {"selected": a, "correct": True} for q, a in wrong_answers(quiz).items()}
    response = api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": answers})
    assert response.status_code == 422
    assert rows(app, Answer) == 0


def test_the_quiz_form_ignores_fields_a_client_must_not_set(logged_in_client, app, catalogue, make):
    client, user = logged_in_client
    other = make.user()
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    data = quiz_form_data(quiz, wrong_answers(quiz), "1.smuggle")
    data.update(user_id=str(other.id), score="999", passed="y", correct="y", max_score="1")
    response = client.post(f"/quizzes/{quiz.id}", data=data)
    assert response.status_code == 303
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert attempt.user_id == user.id
        assert attempt.score == 0
        assert attempt.passed is False
        assert attempt.max_score == quiz.max_score


def test_registration_ignores_role_and_cohort_fields(client, app):
    response = client.post(
        "/auth/register",
        data={
            "name": "Eve",
            "email": "eve@example.com",
            "password": PASSWORD,
            "role": "admin",
            "is_admin": "y",
            "cohort": "1",
            "active": "y",
            "session_version": "99",
            "id": "1",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        eve = db.session.scalar(select(User).where(User.email == "eve@example.com"))
        assert eve.role == "learner"
        assert eve.session_version == 1
        assert eve.is_admin is False


def test_the_account_form_ignores_role_fields(logged_in_client, app):
    client, user = logged_in_client
    client.post("/auth/account", data={"role": "admin", "email": "new@example.com", "name": "X"})
    with app.app_context():
        again = db.session.get(User, user.id)
        assert again.role == "learner"
        assert again.email == user.email


@pytest.mark.parametrize(
    "token",
    [
        "99999999999999999999999.x",
        "-5.x",
        "1e9.x",
        "." * 70,
        "\x00",
        "1.2.3",
        "x" * 500,
    ],
)
def test_a_forged_attempt_token_is_never_a_500(logged_in_client, catalogue, token):
    client, _ = logged_in_client
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    response = client.post(
        f"/quizzes/{quiz.id}", data=quiz_form_data(quiz, right_answers(quiz), token)
    )
    assert response.status_code < 500


@pytest.fixture
def logged_in_client(client, auth, learner):
    auth.login(learner.email)
    return client, learner


@pytest.mark.parametrize("attempt_id", ["99999999999999999999", "2147483648", "0", "-1", "1e3"])
def test_ids_out_of_the_database_range_are_404(api, client, auth, learner, attempt_id):
    assert api.get(f"/attempts/{attempt_id}").status_code == 404
    assert api.delete(f"/me/tokens/{attempt_id}").status_code in (404, 405)
    auth.login(learner.email)
    assert client.get(f"/attempts/{attempt_id}").status_code == 404


def test_nul_characters_are_a_clear_400_on_every_database(client, api, app, catalogue):
    """PostgreSQL cannot store U+0000: it is refused up front, never a 500 or 503."""
    response = client.post(
        "/auth/register", data={"name": "Nul\x00", "email": "nul@example.com", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "NUL character" in response.text
    response = client.post("/auth/login", data={"email": "a\x00@example.com", "password": "x"})
    assert response.status_code == 400
    assert client.get("/auth/login?next=/\x00").status_code == 400
    quiz = next(iter(catalogue.quizzes.values()))
    response = api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": {"q\x00": ["a"]}})
    assert response.status_code == 400
    assert response.json["error"]["message"] == "The request contains a NUL character (U+0000)."
    assert rows(app, User) == 1  # only the API learner
