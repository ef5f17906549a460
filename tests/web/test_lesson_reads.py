"""Opening a lesson: the first visit is stored once, even at once; a later one writes nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from sqlalchemy import Engine, event, func, select

from app.extensions import db
from app.models import LessonRead
from tests.conftest import PASSWORD


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement sent while the test runs, first word upper-cased, in order."""
    sent: list[str] = []

    def record(_conn, _cursor, statement: str, *_args) -> None:
        sent.append(" ".join(statement.split()[:2]).upper())

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def reads_of(app: Flask, user_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        return list(
            db.session.execute(
                select(LessonRead.module_id, LessonRead.lesson_id).where(
                    LessonRead.user_id == user_id
                )
            ).tuples()
        )


def test_a_lesson_read_before_writes_nothing(app, client, auth, learner, catalogue, statements):
    module = catalogue.modules[0]
    url = f"/modules/{module.id}/lessons/{module.lessons[0].id}"
    auth.login(learner.email)
    assert client.get(url).status_code == 200
    assert reads_of(app, learner.id) == [(module.id, module.lessons[0].id)]
    statements.clear()
    again = client.get(url)
    assert again.status_code == 200
    assert module.lessons[0].title in again.text
    writes = [s for s in statements if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    assert reads_of(app, learner.id) == [(module.id, module.lessons[0].id)]


@pytest.mark.usefixtures("committed_db")
def test_reading_takes_the_sqlite_write_lock_only_to_store_a_first_visit(
    app, make, catalogue, statements
):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite's database-wide write lock")
    user = make.user()
    client = app.test_client()
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    module = catalogue.modules[0]
    url = f"/modules/{module.id}/lessons/{module.lessons[0].id}"
    statements.clear()
    assert client.get(url).status_code == 200
    first = statements[:]
    assert "BEGIN IMMEDIATE" in first
    assert first.index("BEGIN IMMEDIATE") < first.index("INSERT INTO")
    statements.clear()
    assert client.get(url).status_code == 200
    assert statements  # the learner and their progress, read apart: no transaction at all
    assert not [statement for statement in statements if statement.startswith("BEGIN")]


@pytest.mark.usefixtures("committed_db")
def test_lessons_opened_at_once_are_each_stored_once(app, make, catalogue):
    """Two tabs per lesson, all opened at the same moment, while other learners read too."""
    module = catalogue.modules[0]
    learners = [make.user() for _ in range(3)]
    jobs = [
        (learner, lesson.id) for learner in learners for lesson in module.lessons for _ in (1, 2)
    ]
    start = threading.Barrier(len(jobs))

    def open_lesson(job) -> int:
        learner, lesson_id = job
        client = app.test_client()  # a browser tab of its own, logged in
        client.post("/auth/login", data={"email": learner.email, "password": PASSWORD})
        start.wait(timeout=30)
        return client.get(f"/modules/{module.id}/lessons/{lesson_id}").status_code

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        assert list(pool.map(open_lesson, jobs)) == [200] * len(jobs)
    for learner in learners:
        assert sorted(reads_of(app, learner.id)) == sorted(
            (module.id, lesson.id) for lesson in module.lessons
        )
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(LessonRead))
    assert total == len(learners) * len(module.lessons)
