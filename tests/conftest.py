"""Fixtures: one app and one database per test session, each test inside a rolled-back transaction.

The database is SQLite in a temporary folder by default. With TEST_DATABASE_URL pointing at a
PostgreSQL server, the suite creates its own schema there and drops it at the end.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from werkzeug.security import generate_password_hash

from app import create_app
from app.content import load_catalogue
from app.extensions import db, limiter
from app.models import User
from app.services import accounts

PASSWORD = "correct horse battery"
PASSWORD_HASH = generate_password_hash(PASSWORD, method="scrypt")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _postgres_url_with_schema(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


@contextmanager
def fresh_database(folder: Path) -> Iterator[str]:
    """The URL of a new, empty database, removed afterwards: an SQLite file in `folder`, or with
    TEST_DATABASE_URL set, a schema of its own on that PostgreSQL server."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{folder / 'test.db'}"
        return
    schema = f"rapport_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_url_with_schema(base, schema)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty database for this test session, removed afterwards."""
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield url


def make_app(database_url: str, **overrides: object) -> Flask:
    config = {
        "RAPPORT_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "CONTENT_DIR": Path(os.environ.get("RAPPORT_CONTENT_DIR") or PROJECT_ROOT),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # The limiter's counters outlive a test when several apps share it; the test of the
        # registration limit sets the shipped value back.
        "REGISTRATIONS_PER_IP": "10000 per hour",
    }
    config.update(overrides)
    return create_app(config)


def start_in_a_process(
    content: Path, instance: Path, code: str = "import run"
) -> subprocess.CompletedProcess[str]:
    """Start the app in a fresh Python process, as `python run.py` does, on this content."""
    env = {
        "PATH": "/usr/bin:/bin",
        "RAPPORT_CONTENT_DIR": str(content),
        "RAPPORT_INSTANCE_PATH": str(instance),
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    application = make_app(database_url)
    with application.app_context():
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(request: pytest.FixtureRequest, app: Flask) -> Iterator[None]:
    """Run the test in a transaction that is rolled back, so tests never see each other's rows."""
    if "committed_db" in request.fixturenames:
        yield
        return
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        # Every session of the app now talks to this one connection; their commits only
        # release savepoints, and the outer transaction is rolled back at the end.
        engines[None] = connection
        original = db.session
        db.session = db._make_scoped_session(
            {"join_transaction_mode": "create_savepoint", "expire_on_commit": False}
        )
    # No app context stays pushed while the test runs: each request gets its own, as in
    # production, so `g` and the session never carry over from one request to the next.
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
            db.session = original
            engines[None] = engine
            outer.rollback()
            connection.close()
    limiter.reset()


@pytest.fixture
def committed_db(app: Flask) -> Iterator[None]:
    """For tests that need real commits (concurrency): every table is emptied afterwards."""
    yield
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
    limiter.reset()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


class Factory:
    """Makes users (with a precomputed password hash, so tests stay fast) and API tokens."""

    def __init__(self, app: Flask):
        self.app = app
        self.count = 0

    def user(
        self, role: str = "learner", name: str | None = None, email: str | None = None
    ) -> User:
        self.count += 1
        with self.app.app_context():
            user = User(
                email=email or f"user{self.count}-{secrets.token_hex(3)}@example.com",
                name=name or f"Test User {self.count}",
                role=role,
                password_hash=PASSWORD_HASH,
            )
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    def token(self, user: User) -> str:
        with self.app.app_context():
            token = accounts.issue_api_token(db.session.get(User, user.id), "test")
            db.session.commit()
            return token


@pytest.fixture
def make(app: Flask) -> Factory:
    return Factory(app)


class AuthActions:
    def __init__(self, client: FlaskClient):
        self.client = client

    def login(self, email: str, password: str = PASSWORD):
        return self.client.post("/auth/login", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


class Api:
    """A JSON client with a Bearer token."""

    def __init__(self, client: FlaskClient, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, url: str, **kwargs):
        return self.client.get("/api/v1" + url, headers=self.headers, **kwargs)

    def post(self, url: str, json: object = None, headers: dict | None = None, **kwargs):
        return self.client.post(
            "/api/v1" + url, json=json, headers={**self.headers, **(headers or {})}, **kwargs
        )

    def delete(self, url: str, **kwargs):
        return self.client.delete("/api/v1" + url, headers=self.headers, **kwargs)


@pytest.fixture
def learner(make: Factory) -> User:
    return make.user("learner", name="Lena Learner")


@pytest.fixture
def api(client: FlaskClient, make: Factory, learner: User) -> Api:
    return Api(client, make.token(learner))


def right_answers(quiz) -> dict[str, list[str]]:
    """The right (or first, for profile questions) answer to every question of a quiz."""
    return {q.id: (q.correct_option_ids or [q.options[0].id]) for q in quiz.questions}


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def catalogue(app: Flask):
    """The course the app loaded (the real one in modules/ and quizzes/)."""
    return app.extensions["rapport_catalogue"]


def wrong_answers(quiz) -> dict[str, list[str]]:
    """A wrong answer to every graded question (and the last option of each profile question)."""
    answers = {}
    for q in quiz.questions:
        if q.kind == "ordering":
            answers[q.id] = list(reversed(q.correct_order))
        elif q.kind in ("single", "multiple"):
            answers[q.id] = [next(o.id for o in q.options if not o.correct)]
        else:
            answers[q.id] = [q.options[-1].id]
    return answers


def quiz_form_data(quiz, answers: dict[str, list[str]], token: str = "") -> dict:
    """The HTML quiz form's fields for these answers."""
    data: dict = {"attempt_token": token} if token else {}
    for q in quiz.questions:
        selected = answers[q.id]
        if q.kind == "ordering":
            for position, option_id in enumerate(selected, 1):
                data[f"q__{q.id}__{option_id}"] = str(position)
        elif q.kind == "multiple":
            data[f"q__{q.id}"] = selected
        else:
            data[f"q__{q.id}"] = selected[0]
    return data


@contextmanager
def publishing(app: Flask, folder: Path) -> Iterator[None]:
    """Serve the content in `folder`, as the app does after a content reload or a deploy with it."""
    served = app.extensions["rapport_catalogue"]
    app.extensions["rapport_catalogue"] = load_catalogue(folder)
    try:
        yield
    finally:
        app.extensions["rapport_catalogue"] = served
