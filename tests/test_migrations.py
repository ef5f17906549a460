"""Migrations build SQLite and PostgreSQL from nothing, and agree with the models."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import Attempt
from tests.conftest import PROJECT_ROOT, _postgres_url_with_schema, make_app

SAMPLE_CONTENT = PROJECT_ROOT / "tests" / "content" / "sample"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
if not POSTGRES_URL.startswith("postgresql"):
    POSTGRES_URL = os.environ.get(
        "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )


def _heads() -> list[str]:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return list(ScriptDirectory.from_config(config).get_heads())


def test_migrations_have_exactly_one_head():
    heads = _heads()
    assert len(heads) == 1, f"several migration heads, merge them: {heads}"


# Each pass of the suite builds the kind of database it runs on (.ci/run runs both passes).
DATABASE_KINDS = (
    ["postgresql"] if os.environ.get("TEST_DATABASE_URL", "").startswith("postgres") else ["sqlite"]
)


@pytest.fixture(params=DATABASE_KINDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database with no tables at all: a SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            schema = f"rapport_migrations_{secrets.token_hex(4)}"
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as error:
        admin.dispose()
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}: {type(error).__name__}")
    try:
        yield _postgres_url_with_schema(POSTGRES_URL, schema)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _flask(*args: str, database_url: str, tmp_path: Path) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RAPPORT_ENV": "development",
        "RAPPORT_INSTANCE_PATH": str(tmp_path / "instance"),
        "RAPPORT_CONTENT_DIR": str(SAMPLE_CONTENT),
    }
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "run", *args],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# Rows every backfill test starts from, as an older revision stored them (`:when` their time).
ONE_LEARNER_IN_A_COHORT = [
    'INSERT INTO "user" (id, email, name, role, active, session_version, created_at) '
    "VALUES (1, 'a@example.com', 'A', 'learner', TRUE, 1, :when)",
    "INSERT INTO cohort (id, name, description, join_code, created_at) "
    "VALUES (1, 'C', '', 'CODE0001', :when)",
    "INSERT INTO cohort_member (cohort_id, user_id, role, joined_at) "
    "VALUES (1, 1, 'learner', :when)",
]


def _store_then_upgrade(
    engine: Engine, statements: list[str], params: dict, database_url: str, tmp_path: Path
) -> None:
    """Run the statements (rows as an older revision stored them), then `db upgrade` to head."""
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement), params)
    finally:
        engine.dispose()
    result = _flask("db", "upgrade", database_url=database_url, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr


def _schema_differences(database_url: str) -> list:
    """What autogenerate would change to make the database match the models (nothing, we hope)."""
    app = make_app(database_url, CONTENT_DIR=SAMPLE_CONTENT)
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "render_as_batch": True}
                )
                return compare_metadata(context, db.metadata)
        finally:
            db.engine.dispose()


def test_db_upgrade_builds_an_empty_database_that_matches_the_models(
    empty_database: str, tmp_path: Path
):
    result = _flask("db", "upgrade", database_url=empty_database, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr

    engine = create_engine(empty_database)
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert version == _heads()[0]
    assert {table.name for table in db.metadata.sorted_tables} <= tables

    differences = _schema_differences(empty_database)
    assert differences == [], (
        "the models and the migrations disagree; generate a migration with "
        "`flask --app run db migrate -m '...'` and read it before committing:\n"
        + "\n".join(map(str, differences))
    )

    # Every migration also goes back down, and up again to the same schema.
    for step in (["downgrade", "base"], ["upgrade"]):
        result = _flask("db", *step, database_url=empty_database, tmp_path=tmp_path)
        assert result.returncode == 0, f"db {' '.join(step)} failed:\n{result.stderr}"
    assert _schema_differences(empty_database) == []


def test_the_comparison_notices_a_schema_that_drifted(tmp_path: Path):
    """The check above is not vacuous: a table the models do not know is reported."""
    url = f"sqlite:///{tmp_path / 'drifted.db'}"
    app = make_app(url, CONTENT_DIR=SAMPLE_CONTENT)
    with app.app_context():
        db.create_all()
        with db.engine.begin() as connection:
            connection.execute(text("CREATE TABLE stray (id INTEGER PRIMARY KEY)"))
        db.engine.dispose()
    differences = _schema_differences(url)
    assert [d[0] for d in differences] == ["remove_table"]


def test_the_report_summaries_are_filled_from_the_rows_already_stored(
    empty_database: str, tmp_path: Path
):
    """Migration 0003 backfills its summary tables from the attempts, answers and reads."""
    result = _flask("db", "upgrade", "0002", database_url=empty_database, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    engine = create_engine(empty_database)
    when = {"when": datetime(2026, 11, 18, 10)}  # a Wednesday: its week starts on Monday 16th
    statements = [
        *ONE_LEARNER_IN_A_COHORT,
        "INSERT INTO lesson_read (user_id, module_id, lesson_id, first_read_at) "
        "VALUES (1, 'basics', 'first', :when)",
        "INSERT INTO attempt (id, user_id, quiz_id, quiz_version, score, max_score, passed, "
        "submitted_at) VALUES (1, 1, 'basics-check', 'v', 1, 3, FALSE, :when)",
        "INSERT INTO answer (attempt_id, question_id, question_version, position, selected, "
        "correct) VALUES (1, 'one', 'v', 0, '[\"a\"]', TRUE)",
    ]
    _store_then_upgrade(engine, statements, when, empty_database, tmp_path)
    engine = create_engine(empty_database)
    try:
        with engine.connect() as connection:
            quiz = connection.execute(
                text("SELECT quiz_id, best_score, learners, attempts FROM cohort_quiz_score")
            ).all()
            week = connection.execute(
                text("SELECT week, active, lessons, attempts FROM cohort_week")
            ).all()
            started = connection.execute(
                text("SELECT module_id, started FROM cohort_progress ORDER BY module_id")
            ).all()
            items = connection.execute(
                text("SELECT question_id, answered, correct FROM cohort_question")
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in quiz] == [("basics-check", 1, 1, 1)]
    assert [(str(w)[:10], a, n, m) for w, a, n, m in week] == [("2026-11-16", 1, 1, 1)]
    assert [tuple(r) for r in started] == [("", 1), ("basics", 1)]
    assert [tuple(r) for r in items] == [("one", 1, 1)]


def test_attempts_stored_before_0007_read_as_before(empty_database: str, tmp_path: Path):
    """Migration 0007 makes scores fractional and adds the order shown, the retake and each
    answer's credit; rows stored before it keep their score and read as whole-point answers."""
    result = _flask("db", "upgrade", "0004", database_url=empty_database, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    engine = create_engine(empty_database)
    when = {"when": datetime(2026, 11, 18, 10)}
    statements = [
        'INSERT INTO "user" (id, email, name, role, active, session_version, created_at) '
        "VALUES (1, 'a@example.com', 'A', 'learner', TRUE, 1, :when)",
        "INSERT INTO attempt (id, user_id, quiz_id, quiz_version, score, max_score, passed, "
        "submitted_at) VALUES (1, 1, 'basics-check', 'v', 2, 3, TRUE, :when)",
        "INSERT INTO answer (attempt_id, question_id, question_version, position, selected, "
        "correct) VALUES (1, 'one', 'v', 0, '[\"a\"]', TRUE)",
        "INSERT INTO answer (attempt_id, question_id, question_version, position, selected, "
        "correct) VALUES (1, 'two', 'v', 1, '[\"b\"]', FALSE)",
    ]
    _store_then_upgrade(engine, statements, when, empty_database, tmp_path)

    app = make_app(empty_database, CONTENT_DIR=SAMPLE_CONTENT)
    with app.app_context():
        try:
            attempt = db.session.get(Attempt, 1)
            assert attempt.score == 2.0
            assert attempt.option_order is None
            assert attempt.retake_of_id is None
            assert attempt.is_retake is False
            assert [(a.credit, a.earned) for a in attempt.answers] == [(None, 1.0), (None, 0.0)]
        finally:
            db.session.remove()
            db.engine.dispose()


def test_0008_fills_the_question_summaries_with_each_answers_credit(
    empty_database: str, tmp_path: Path
):
    """Migration 0008 sums credit instead of right answers in cohort_question, and fills every
    summary again from the stored rows: here an attempt at 0007 with a partial-credit answer
    (half of `many`'s point) and the summaries 0007 left (empty, as 0003 now leaves them)."""
    result = _flask("db", "upgrade", "0007", database_url=empty_database, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    engine = create_engine(empty_database)
    when = {"when": datetime(2026, 11, 18, 10)}
    answer = (
        "INSERT INTO answer (attempt_id, question_id, question_version, position, selected, "
        "correct, credit) VALUES "
    )
    statements = [
        *ONE_LEARNER_IN_A_COHORT,
        "INSERT INTO attempt (id, user_id, quiz_id, quiz_version, score, max_score, passed, "
        "submitted_at) VALUES (1, 1, 'basics-check', 'v', 1.5, 3, FALSE, :when)",
        answer + "(1, 'one', 'v', 0, '[\"a\"]', TRUE, 1.0)",
        answer + "(1, 'many', 'v', 1, '[\"a\"]', FALSE, 0.5)",
        answer + "(1, 'order', 'v', 2, '[\"z\", \"y\", \"x\"]', FALSE, 0.0)",
    ]
    _store_then_upgrade(engine, statements, when, empty_database, tmp_path)
    engine = create_engine(empty_database)
    try:
        with engine.connect() as connection:
            items = connection.execute(
                text(
                    "SELECT question_id, answered, correct, sum_x, sum_y, sum_xx "
                    "FROM cohort_question ORDER BY question_id"
                )
            ).all()
            best = connection.execute(
                text("SELECT quiz_id, best_score, learners FROM cohort_quiz_score")
            ).all()
    finally:
        engine.dispose()
    # x: the credit (1, 0.5, 0); y: the rest of the attempt's 1.5 points.
    assert [tuple(r) for r in items] == [
        ("many", 1, 0, 0.5, 1.0, 0.25),
        ("one", 1, 1, 1.0, 0.5, 1.0),
        ("order", 1, 0, 0.0, 1.5, 0.0),
    ]
    assert [tuple(r) for r in best] == [("basics-check", 1.5, 1)]


def test_the_first_start_after_0009_puts_the_served_versions_on_record(
    empty_database: str, tmp_path: Path
):
    """The migration cannot know older texts: the table starts empty, and the next start of the
    app (any command, here `content impact`) stores the content it serves, once."""
    from app.content import load_catalogue

    result = _flask("db", "upgrade", database_url=empty_database, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "question versions not recorded at start-up" not in result.stderr
    count = text("SELECT COUNT(*) FROM question_version")
    engine = create_engine(empty_database)
    try:
        with engine.connect() as connection:
            assert connection.execute(count).scalar() == 0
        served = load_catalogue(SAMPLE_CONTENT)
        questions = sum(len(quiz.questions) for quiz in served.quizzes.values())
        assert questions > 0
        for _ in range(2):
            result = _flask("content", "impact", database_url=empty_database, tmp_path=tmp_path)
            assert result.returncode == 0, result.stderr
            with engine.connect() as connection:
                assert connection.execute(count).scalar() == questions
    finally:
        engine.dispose()
