"""Which transactions take SQLite's write lock: the ones declared writing, and only those."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine, event, select

from app.db import declared_writes
from app.extensions import db
from app.models import ApiToken, User
from app.services import accounts
from tests.conftest import PASSWORD, right_answers

# Views that accept a POST and write nothing: they must not hold the write lock.
READ_ONLY_POSTS = {"auth.login"}  # checks a password (slow on purpose) and sets a cookie


@pytest.fixture
def sent() -> Iterator[list[str]]:
    """What reached the database while the test runs: each statement's first two words, and
    COMMIT for every commit."""
    found: list[str] = []

    def statement(_conn, _cursor, text: str, *_args) -> None:
        found.append(" ".join(text.split()[:2]).upper())

    def commit(_conn) -> None:
        found.append("COMMIT")

    event.listen(Engine, "before_cursor_execute", statement)
    event.listen(Engine, "commit", commit)
    try:
        yield found
    finally:
        event.remove(Engine, "before_cursor_execute", statement)
        event.remove(Engine, "commit", commit)


@pytest.fixture
def on_sqlite(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite's database-wide write lock")


def test_every_view_that_accepts_a_write_method_declares_it(app: Flask):
    undeclared = sorted(
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"})
        if rule.endpoint not in READ_ONLY_POSTS
        and method not in declared_writes(app.view_functions[rule.endpoint])
    )
    assert undeclared == [], "add @writes(...) from app/db.py to these views"
    for endpoint in READ_ONLY_POSTS:
        assert declared_writes(app.view_functions[endpoint]) == frozenset()


@pytest.mark.usefixtures("committed_db", "on_sqlite")
def test_a_declared_write_begins_immediate_and_a_page_read_stays_deferred(app, make, sent):
    user = make.user()
    client = app.test_client()
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    sent.clear()
    assert client.get("/trainer/join").status_code == 200  # the same view, read
    assert sent[0].startswith("SELECT")  # read apart: no transaction at all
    assert not [statement for statement in sent if statement.startswith("BEGIN")]
    sent.clear()
    assert client.post("/trainer/join", data={"code": "NOSUCHCODE"}).status_code == 422
    assert sent[0] == "BEGIN IMMEDIATE"  # declared @writes("POST"): the lock before any read


@pytest.mark.usefixtures("committed_db", "on_sqlite")
def test_a_login_does_not_take_the_write_lock(app, make, sent):
    user = make.user()
    sent.clear()
    response = app.test_client().post(
        "/auth/login", data={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert any(statement.startswith("SELECT") for statement in sent)
    assert not [statement for statement in sent if statement.startswith("BEGIN")]


@pytest.mark.usefixtures("committed_db", "on_sqlite")
def test_a_read_that_turns_into_a_write_takes_the_lock_and_commits_once(app, make, catalogue, sent):
    """The first visit of a lesson reads first (apart, with no transaction), then must write: it
    takes the lock there, and the request commits once, the write included."""
    user = make.user()
    client = app.test_client()
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    module = catalogue.modules[0]
    sent.clear()
    assert client.get(f"/modules/{module.id}/lessons/{module.lessons[0].id}").status_code == 200
    assert sent[0].startswith("SELECT")
    assert [statement for statement in sent if statement.startswith("BEGIN")] == ["BEGIN IMMEDIATE"]
    assert sent.index("BEGIN IMMEDIATE") < sent.index("INSERT INTO")
    assert sent.count("COMMIT") == 1
    assert sent.index("INSERT INTO") < sent.index("COMMIT")


@pytest.mark.usefixtures("committed_db")
def test_an_api_read_records_the_token_use_in_a_transaction_of_its_own(app, make, sent):
    """The read itself neither commits nor takes the lock; the use is stored all the same."""
    user = make.user()
    with app.app_context():
        token = accounts.issue_api_token(db.session.get(User, user.id), "test")
        db.session.commit()
    sent.clear()
    response = app.test_client().get(
        "/api/v1/modules", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert sent.count("COMMIT") == 1  # the use, and nothing else
    assert sent.index("UPDATE API_TOKEN") < sent.index("COMMIT")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert sent[0].startswith("SELECT")  # the request's reads: apart, no transaction
        assert sent.count("BEGIN IMMEDIATE") == 1  # the use's own short transaction
        assert "BEGIN" not in sent
    with app.app_context():
        stored = db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.user_id == user.id))
    assert stored is not None


@pytest.mark.usefixtures("committed_db", "on_sqlite")
def test_a_submission_takes_the_lock_only_for_its_writes(app, make, catalogue, sent, monkeypatch):
    """An API submission reads its token and grades the answers without the write lock, then
    takes it once for the writes (and the reads they depend on) and commits: the result it
    answers with needs nothing more. Answers that cannot be graded never take it."""
    from app.content import QUESTION_KINDS

    for kind in QUESTION_KINDS.values():
        grade = kind.credit
        monkeypatch.setattr(
            kind, "credit", lambda *args, grade=grade: sent.append("GRADED") or grade(*args)
        )
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    user = make.user()
    headers = {"Authorization": f"Bearer {make.token(user)}"}
    url = f"/api/v1/quizzes/{quiz.id}/attempts"
    client = app.test_client()
    client.get("/api/v1/modules", headers=headers)  # the token's first use is noted apart
    sent.clear()
    response = client.post(url, json={"answers": right_answers(quiz)}, headers=headers)
    assert response.status_code == 201
    assert response.json["review_allowed"] is True  # passed: known without asking again
    assert sent[0].startswith("SELECT API_TOKEN")  # the token is read apart, without the lock
    assert "BEGIN" not in sent
    assert sent.count("BEGIN IMMEDIATE") == 1
    locked = sent.index("BEGIN IMMEDIATE")
    assert "GRADED" in sent[:locked]
    assert "GRADED" not in sent[locked:]
    assert sent.count("COMMIT") == 1
    assert sent[-1] == "COMMIT"  # nothing is read once the lock is given back
    assert "INSERT INTO" in sent[locked:]
    sent.clear()
    rejected = client.post(url, json={"answers": {"no-such-question": ["a"]}}, headers=headers)
    assert rejected.status_code == 422
    assert "BEGIN IMMEDIATE" not in sent
    assert "COMMIT" not in sent
