"""Fixtures for the trainer tests: a tiny course of our own, a cohort, and learners with answers.

The hand-checked figures need a course whose every answer we choose, so these tests run an app
built on tests/trainer/content (module `intro` with quizzes `check` and `mood`, module `second`),
sharing the test's database transaction.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from unittest.mock import patch

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import event, update
from sqlalchemy.engine import Connection, Engine

from app.extensions import db
from app.models import Attempt, Cohort, CohortMember, User, utcnow
from app.services import attempts, cohorts, progress
from app.services.catalogue import get_catalogue
from tests.conftest import PASSWORD_HASH, Api, Factory, make_app
from tests.security.conftest import sharing_the_test_transaction

CONTENT = Path(__file__).parent / "content"
QUIZ = "check.yaml"


def course_copy(folder: Path, *replacements: tuple[str, str], source: Path = CONTENT) -> Path:
    """A copy of a course in `folder` with its `check` quiz edited by plain text replacements."""
    shutil.copytree(source, folder)
    path = folder / "quizzes" / QUIZ
    text = path.read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text)
    return folder


# The tiny course with partial credit: `check` passes at 50% (2.5 of 5), and q3 is a tick-all
# question with three right options of four, scored `partial` (each right tick +1/3, each wrong
# one −1/3, never below 0).
PARTIAL_CHECK = (
    ("pass_mark: 60", "pass_mark: 50"),
    (
        "  - id: q3\n    kind: multiple\n",
        "  - id: q3\n    kind: multiple\n    scoring: partial\n",
    ),
    (
        "      - {id: c, text: Wrong C}\n",
        "      - {id: c, text: Wrong C}\n      - {id: d, text: Right D, correct: true}\n",
    ),
)


@pytest.fixture(scope="session")
def _partial_app(database_url: str, app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    folder = course_copy(tmp_path_factory.mktemp("partial") / "course", *PARTIAL_CHECK)
    return make_app(database_url, CONTENT_DIR=folder)


@pytest.fixture
def partial(_partial_app: Flask, app: Flask) -> Iterator[Flask]:
    """The app on the tiny course with partial credit (PARTIAL_CHECK), writing inside the test's
    rolled-back transaction."""
    with sharing_the_test_transaction(_partial_app, app) as shared, shared.app_context():
        yield shared


@pytest.fixture(scope="session")
def _small_app(database_url: str, app: Flask) -> Flask:
    return make_app(database_url, CONTENT_DIR=CONTENT)


@pytest.fixture
def small(_small_app: Flask, app: Flask) -> Iterator[Flask]:
    """The app on the tiny course, writing inside the test's rolled-back transaction."""
    with app.app_context():
        connection = db.engines[None]
    if not isinstance(connection, Connection):  # pragma: no cover - committed_db tests
        yield _small_app
        return
    with _small_app.app_context():
        engines = db.engines
        engine = engines[None]
        engines[None] = connection
        try:
            yield _small_app
        finally:
            engines[None] = engine


@pytest.fixture
def sclient(small: Flask) -> FlaskClient:
    return small.test_client()


def log_in(client: FlaskClient, user: User) -> None:
    """A session for `user`. The test keeps one app context for all its requests, so the user
    Flask-Login remembered in `g` from an earlier request is forgotten too."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    g.pop("_login_user", None)


def api_for(client: FlaskClient, make: Factory, user: User) -> Api:
    return Api(client, make.token(user))


@dataclass
class World:
    """A cohort with a trainer and six learners whose every answer is known (see `world`)."""

    cohort: Cohort
    trainer: User
    learners: list[User]  # L1..L6
    now: datetime


def new_user(name: str, role: str = "learner") -> User:
    user = User(
        email=f"{name.lower().replace(' ', '.')}@example.com",
        name=name,
        role=role,
        password_hash=PASSWORD_HASH,
    )
    db.session.add(user)
    db.session.flush()
    return user


def answer(user: User, quiz_id: str, picks: dict[str, list[str]], when: datetime) -> Attempt:
    """Submit through the real service, as if at `when` (so every summary dates it alike)."""
    quiz = get_catalogue().quiz(quiz_id)
    with patch.object(attempts, "utcnow", return_value=when):
        return attempts.submit_attempt(
            user.id, quiz, picks, started_at=when - timedelta(minutes=5)
        ).attempt


def read(user: User, module_id: str, lesson_id: str, when: datetime) -> None:
    """Open a lesson through the real service, as if at `when`."""
    module = get_catalogue().module(module_id)
    with patch.object(progress, "utcnow", return_value=when):
        progress.record_lesson_read(user.id, module, lesson_id)


def check(q1: str, q2: str, q3: list[str], q4: str = "a", q5: str = "b", p1: str = "a") -> dict:
    return {"q1": [q1], "q2": [q2], "q3": q3, "q4": [q4], "q5": [q5], "p1": [p1]}


MOOD_HIGH = {"m-care": ["a"], "m-acc": ["a"], "m-com": ["a"]}
MOOD_LOW = {"m-care": ["r"], "m-acc": ["r"], "m-com": ["a"]}


def cohort_joined_long_ago(
    trainer_name: str, name: str, description: str, learner_names: list[str]
) -> tuple[User, Cohort, list[User]]:
    """A trainer's new cohort whose new learners joined 400 days ago, before any work a test
    gives them (the drill-down and the answers' CSV show only what was done since joining)."""
    trainer = new_user(trainer_name, "trainer")
    cohort = cohorts.create_cohort(trainer, name, description)
    people = [new_user(learner) for learner in learner_names]
    for user in people:
        cohorts.join_cohort(user, cohort.join_code)
    db.session.execute(
        update(CohortMember)
        .where(CohortMember.cohort_id == cohort.id)
        .values(joined_at=utcnow() - timedelta(days=400))
    )
    return trainer, cohort, people


def build_world(days_ago_first: int = 10) -> World:
    """Six learners in one cohort (all times UTC, relative to now):

    first attempts at `check` (graded questions q1..q5; q4 everyone right, q5 everyone wrong):
        L1 q1 a✓ q2 a✓ q3 ab✓  → score 4, passed (pass mark 60% of 5 = 3)
        L2 q1 a✓ q2 a✓ q3 ac✗  → 3, passed
        L3 q1 a✓ q2 b✗ q3 ab✓  → 3, passed   (30 days ago: L3 has stalled)
        L4 q1 b✗ q2 b✗ q3 ab✓  → 2, failed; 2 days ago a second attempt, all right but q5 → 4
        L5 q1 b✗ q2 b✗ q3 ab✓  → 2, failed; 2 days ago a second attempt, all wrong → 0
        L6 nothing at all
    lessons: L1 reads l1, l2, s1; L2 l1, l2; L3 l1; L5 l1.  `mood`: L1, L2 high, L3 low.
    """
    now = utcnow().replace(microsecond=0)
    first = now - timedelta(days=days_ago_first)
    trainer, cohort, people = cohort_joined_long_ago(
        "Tina Trainer", "Spring", "hand-checked", [f"L{i} Learner" for i in range(1, 7)]
    )
    l1, l2, l3, l4, l5, _ = people
    old = now - timedelta(days=30)
    answer(l1, "check", check("a", "a", ["a", "b"]), first)
    answer(l2, "check", check("a", "a", ["a", "c"], p1="b"), first)
    answer(l3, "check", check("a", "b", ["a", "b"]), old)
    answer(l4, "check", check("b", "b", ["a", "b"]), first)
    answer(l5, "check", check("b", "b", ["a", "b"]), first)
    answer(l4, "check", check("a", "a", ["a", "b"]), now - timedelta(days=2))
    answer(l5, "check", check("c", "b", ["c"], q4="b"), now - timedelta(days=2))
    for lesson in ("l1", "l2"):
        read(l1, "intro", lesson, first - timedelta(hours=1))
        read(l2, "intro", lesson, first - timedelta(hours=1))
    read(l1, "second", "s1", first + timedelta(hours=1))
    read(l3, "intro", "l1", old - timedelta(hours=1))
    read(l5, "intro", "l1", first - timedelta(hours=1))
    answer(l1, "mood", MOOD_HIGH, first)
    answer(l2, "mood", MOOD_HIGH, first)
    answer(l3, "mood", MOOD_LOW, old)
    db.session.commit()
    return World(cohort, trainer, people, now)


@pytest.fixture
def world(small: Flask) -> World:
    return build_world()


def build_partial_world() -> World:
    """Four learners' first attempts at the partial-credit `check` (PARTIAL_CHECK; q4 right and
    q5 wrong for everyone; pass mark 2.5 of 5), five days ago:
        P1 q1 ✓ q2 ✓ q3 a b d → 1        score 4          passed
        P2 q1 ✓ q2 ✗ q3 a     → 1/3      score 2 1/3      failed
        P3 q1 ✓ q2 ✓ q3 a b c → 2/3−1/3  score 3 1/3      passed
        P4 q1 ✗ q2 ✓ q3 a b   → 2/3      score 2 2/3      passed
    """
    now = utcnow().replace(microsecond=0)
    trainer, cohort, people = cohort_joined_long_ago(
        "Pat Trainer", "Partial", "partial credit", [f"P{i} Learner" for i in range(1, 5)]
    )
    first = now - timedelta(days=5)
    p1, p2, p3, p4 = people
    answer(p1, "check", check("a", "a", ["a", "b", "d"]), first)
    answer(p2, "check", check("a", "b", ["a"]), first)
    answer(p3, "check", check("a", "a", ["a", "b", "c"]), first)
    answer(p4, "check", check("b", "a", ["a", "b"]), first)
    db.session.commit()
    return World(cohort, trainer, people, now)


@pytest.fixture
def partial_world(partial: Flask) -> World:
    return build_partial_world()


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    """Every SQL statement run inside the block."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)
