"""Generated data for the cohort-report benchmark: one cohort, its trainer, and N learners who
read every lesson and took every quiz, inserted in bulk through SQLAlchemy Core.

The rows are what the app itself would store: answers are graded with the question kinds'
own `is_correct`, profiles are read with `read_profiles`, versions come from the catalogue.
To stay fast, each quiz gets a few dozen distinct answer sets and learners share them. The
report's summary tables are then rebuilt from these rows, as the migration does.

Usage (on its own, into an existing database built with `flask --app run db upgrade`):
  DATABASE_URL=... .venv/bin/python bench/cohort_data.py 1000
"""

from __future__ import annotations

import random
import secrets
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CHUNK = 5000
PATTERNS_PER_QUIZ = 40


def _answer_sets(quiz: Any, rng: random.Random) -> list[dict[str, Any]]:
    """Distinct plausible answer sets for one quiz, graded and profiled by the app's rules."""
    from app.content import QUESTION_KINDS, read_profiles

    sets = []
    for _ in range(PATTERNS_PER_QUIZ):
        skill = rng.random()  # some learners know the material better than others
        answers: dict[str, list[str]] = {}
        for question in quiz.questions:
            if question.kind == "ordering":
                order = list(question.correct_order)
                if rng.random() > skill:
                    rng.shuffle(order)
                answers[question.id] = order
            elif question.kind == "multiple":
                right = list(question.correct_option_ids)
                if rng.random() > skill:
                    wrong = [o.id for o in question.options if o.id not in right]
                    right = right[:-1] + wrong[:1] if wrong else right[:1]
                answers[question.id] = right
            elif question.kind == "single":
                right = list(question.correct_option_ids)
                options = [o.id for o in question.options]
                answers[question.id] = right if rng.random() < skill else [rng.choice(options)]
            else:
                answers[question.id] = [rng.choice(question.options).id]
        rows = []
        score = 0
        for position, question in enumerate(quiz.questions):
            selected = answers[question.id]
            correct = QUESTION_KINDS[question.kind].is_correct(question, selected)
            score += 1 if correct else 0
            rows.append(
                {
                    "question_id": question.id,
                    "question_version": question.version,
                    "position": position,
                    "selected": selected,
                    "correct": correct,
                }
            )
        max_score = quiz.max_score
        sets.append(
            {
                "score": score,
                "max_score": max_score,
                "passed": (score * 100 >= (quiz.pass_mark or 0) * max_score)
                if quiz.is_graded
                else None,
                "profile": read_profiles(quiz, answers) if quiz.profiles else None,
                "answers": rows,
            }
        )
    return sets


def _insert(connection: Any, table: Any, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        connection.execute(table.insert(), rows[start : start + CHUNK])


def generate(learners: int, seed: int = 7) -> dict[str, Any]:
    """Fill the app's database (current app context) with one cohort of `learners` learners.

    Returns the cohort id, the trainer's email and password, and the row counts.
    """
    from sqlalchemy import func, select, text

    from app.extensions import db
    from app.models import Answer, Attempt, Cohort, CohortMember, LessonRead, User
    from app.services import accounts
    from app.services.catalogue import get_catalogue
    from app.services.reporting import hooks

    started = time.perf_counter()
    rng = random.Random(seed)
    catalogue = get_catalogue()
    quizzes = list(catalogue.quizzes.values())
    patterns = {quiz.id: _answer_sets(quiz, rng) for quiz in quizzes}
    password = "trainer password for the bench"  # noqa: S105 - throwaway account
    password_hash = accounts.hash_password(password)
    now = datetime.now().replace(microsecond=0) - timedelta(days=1)
    tag = secrets.token_hex(3)

    engine = db.engine
    with engine.begin() as connection:
        first_user = (connection.scalar(select(func.max(User.id))) or 0) + 1
        first_attempt = (connection.scalar(select(func.max(Attempt.id))) or 0) + 1
        trainer_id = first_user
        users = [
            {
                "id": trainer_id,
                "email": f"trainer-{tag}@example.com",
                "name": "Bench Trainer",
                "role": "trainer",
                "password_hash": password_hash,
                "active": True,
                "session_version": 1,
                "created_at": now,
            }
        ]
        users += [
            {
                "id": first_user + 1 + n,
                "email": f"learner{n}-{tag}@example.com",
                "name": f"Learner {n:05d}",
                "role": "learner",
                "password_hash": password_hash,
                "active": True,
                "session_version": 1,
                "created_at": now,
            }
            for n in range(learners)
        ]
        _insert(connection, User.__table__, users)
        cohort_id = connection.execute(
            Cohort.__table__.insert().values(
                name=f"Bench cohort of {learners}",
                description="Generated for bench/cohort_report.py",
                join_code=secrets.token_hex(4).upper(),
                created_at=now,
            )
        ).inserted_primary_key[0]
        members = [
            {"cohort_id": cohort_id, "user_id": u["id"], "role": u["role"], "joined_at": now}
            for u in users
        ]
        _insert(connection, CohortMember.__table__, members)

        reads, attempts, answers = [], [], []
        attempt_id = first_attempt
        for user in users[1:]:
            minute = rng.randrange(0, 600)
            for module in catalogue.modules:
                for lesson in module.lessons:
                    reads.append(
                        {
                            "user_id": user["id"],
                            "module_id": module.id,
                            "lesson_id": lesson.id,
                            "first_read_at": now + timedelta(minutes=minute),
                        }
                    )
            for quiz in quizzes:
                chosen = rng.choice(patterns[quiz.id])
                submitted = now + timedelta(minutes=minute + rng.randrange(1, 240))
                attempts.append(
                    {
                        "id": attempt_id,
                        "user_id": user["id"],
                        "quiz_id": quiz.id,
                        "quiz_version": quiz.version,
                        "score": chosen["score"],
                        "max_score": chosen["max_score"],
                        "passed": chosen["passed"],
                        "profile": chosen["profile"],
                        "started_at": submitted - timedelta(minutes=rng.randrange(2, 20)),
                        "submitted_at": submitted,
                        "idempotency_key": None,
                        "request_fingerprint": None,
                    }
                )
                answers.extend({"attempt_id": attempt_id, **row} for row in chosen["answers"])
                attempt_id += 1
            if len(answers) > 50_000:
                _insert(connection, LessonRead.__table__, reads)
                _insert(connection, Attempt.__table__, attempts)
                _insert(connection, Answer.__table__, answers)
                reads, attempts, answers = [], [], []
        _insert(connection, LessonRead.__table__, reads)
        _insert(connection, Attempt.__table__, attempts)
        _insert(connection, Answer.__table__, answers)
        # Bulk inserts bypass the services' hooks: compute the report's summary tables now.
        hooks.rebuild(connection)
        if connection.dialect.name == "postgresql":
            # Ids were given explicitly: move the sequences past them.
            connection.execute(
                text(
                    """SELECT setval(pg_get_serial_sequence('"user"', 'id'), (SELECT max(id) FROM "user"))"""
                )
            )
            connection.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('attempt', 'id'), (SELECT max(id) FROM attempt))"
                )
            )
        counts = {
            "users": connection.scalar(select(func.count()).select_from(User)),
            "attempts": connection.scalar(select(func.count()).select_from(Attempt)),
            "answers": connection.scalar(select(func.count()).select_from(Answer)),
            "lesson_reads": connection.scalar(select(func.count()).select_from(LessonRead)),
        }
        if connection.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
    return {
        "cohort_id": cohort_id,
        "trainer_email": users[0]["email"],
        "trainer_password": password,
        "learners": learners,
        "rows": counts,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    from app import create_app

    learners = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    app = create_app()
    with app.app_context():
        print(generate(learners))


if __name__ == "__main__":
    main()
