"""A request that only reads runs without a transaction (no BEGIN and COMMIT); the first
statement that writes or locks opens one, and the rest of the request's work commits or rolls
back with it (app/db.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine, event, select

from app.extensions import db
from app.models import Attempt, LessonRead, User
from app.services import cohorts
from tests.conftest import PASSWORD, right_answers


@pytest.fixture
def on_postgresql(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL's transaction blocks")


@pytest.fixture
def blocks() -> Iterator[list[tuple[str, bool]]]:
    """Each statement sent while the test runs (on one line) and whether it ran inside a
    transaction block, as the server reported after it."""
    from psycopg.pq import TransactionStatus

    seen: list[tuple[str, bool]] = []

    def after(_conn, cursor, statement: str, *_args) -> None:
        status = cursor.connection.info.transaction_status
        seen.append((" ".join(statement.split()), status != TransactionStatus.IDLE))

    event.listen(Engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        event.remove(Engine, "after_cursor_execute", after)


def logged_in(app: Flask, email: str):
    client = app.test_client()
    assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code
    return client


@pytest.mark.usefixtures("committed_db", "on_postgresql")
def test_a_page_that_only_reads_runs_outside_a_transaction_block(app, make, catalogue, blocks):
    learner = make.user()
    client = logged_in(app, learner.email)
    module = catalogue.modules[0]
    url = f"/modules/{module.id}/lessons/{module.lessons[0].id}"

    blocks.clear()
    assert client.get(url).status_code == 200  # the first visit stores the read
    first_write = next(i for i, (sql, _) in enumerate(blocks) if sql.startswith("INSERT"))
    assert first_write > 0
    assert not any(inside for _sql, inside in blocks[:first_write])
    assert all(inside for _sql, inside in blocks[first_write:])
    with app.app_context():
        stored = db.session.scalars(
            select(LessonRead.lesson_id).where(LessonRead.user_id == learner.id)
        ).all()
    assert stored == [module.lessons[0].id]

    blocks.clear()
    page = client.get(url)
    assert page.status_code == 200
    assert module.lessons[0].title in page.text
    assert blocks, "the revisit reads the learner and their progress"
    assert not any(inside for _sql, inside in blocks)


@pytest.mark.usefixtures("committed_db", "on_postgresql")
def test_a_locking_read_opens_the_block_its_writes_commit_in(app, make, catalogue, blocks):
    """The submission reads its token apart, then locks the learner's summary row FOR UPDATE:
    that lock must last until the attempt and its summaries are written."""
    learner = make.user()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {make.token(learner)}"}
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    # Its first use notes the time in a transaction of its own; the next one writes nothing.
    assert api.get("/api/v1/modules", headers=headers).status_code == 200

    blocks.clear()
    response = api.post(
        f"/api/v1/quizzes/{quiz.id}/attempts",
        json={"answers": right_answers(quiz)},
        headers=headers,
    )
    assert response.status_code == 201
    assert blocks[0][0].startswith("SELECT api_token.id")
    assert not blocks[0][1]
    locking = next(i for i, (sql, _inside) in enumerate(blocks) if " FOR UPDATE" in sql)
    assert not any(inside for _sql, inside in blocks[:locking])
    assert all(inside for _sql, inside in blocks[locking:])
    assert any(sql.startswith("INSERT INTO attempt") for sql, _inside in blocks[locking:])
    with app.app_context():
        attempts = db.session.scalars(select(Attempt.id).where(Attempt.user_id == learner.id))
        assert len(attempts.all()) == 1


@pytest.mark.usefixtures("committed_db", "on_postgresql")
def test_a_streamed_export_reads_inside_a_block(app, make, catalogue, blocks):
    """The answers CSV streams its rows through a server-side cursor, which PostgreSQL only
    opens inside a transaction block."""
    trainer, learner = make.user(role="trainer"), make.user()
    with app.app_context():
        cohort = cohorts.create_cohort(db.session.get(User, trainer.id), "Streamed")
        cohorts.add_member(cohort, learner.id, "learner")
        db.session.commit()
        cohort_id = cohort.id
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    submitted = app.test_client().post(
        f"/api/v1/quizzes/{quiz.id}/attempts",
        json={"answers": right_answers(quiz)},
        headers={"Authorization": f"Bearer {make.token(learner)}"},
    )
    assert submitted.status_code == 201
    client = logged_in(app, trainer.email)

    blocks.clear()
    export = client.get(f"/trainer/cohorts/{cohort_id}/export/answers.csv")
    assert export.status_code == 200
    rows = export.get_data(as_text=True).splitlines()
    assert len(rows) == 1 + len(quiz.questions)
    streamed = [inside for sql, inside in blocks if "FROM answer JOIN attempt" in sql]
    assert streamed == [True]


@pytest.mark.usefixtures("committed_db", "on_postgresql")
def test_the_health_probe_is_one_statement_outside_a_block(app, blocks):
    assert app.test_client().get("/healthz").status_code == 200
    assert blocks == [("SELECT 1", False)]


@pytest.mark.usefixtures("committed_db")
def test_writes_after_reads_apart_commit_or_roll_back_together(app, make):
    """Outside any declared write (a GET), on both databases: reads, then two writes."""
    learner, other = make.user(), make.user()

    def rename_both(to: str, keep: bool) -> None:
        with app.test_request_context("/"):
            assert db.session.scalar(select(User.name).where(User.id == learner.id))
            db.session.get(User, learner.id).name = to
            db.session.flush()  # the first write: from here on, one transaction
            db.session.get(User, other.id).name = to
            db.session.flush()
            if keep:
                db.session.commit()
            else:
                db.session.rollback()

    def names() -> set[str]:
        with app.app_context():
            return set(
                db.session.scalars(select(User.name).where(User.id.in_([learner.id, other.id])))
            )

    rename_both("Rolled back", keep=False)
    assert names() == {learner.name, other.name}
    rename_both("Kept", keep=True)
    assert names() == {"Kept"}
