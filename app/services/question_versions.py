"""The text of each question version the app has served, so that an edit made later can be
described against what learners actually answered (their answers keep only the version's
fingerprint).

A version is stored the first time the app serves it: when the app starts (see create_app) and
with `flask --app run content record`. Versions served before the table existed (migration 0009)
are not on record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from app.content import Catalogue, Question
from app.extensions import db
from app.models import QuestionVersion

VersionKey = tuple[str, str, str]  # (quiz id, question id, version fingerprint)


@dataclass(frozen=True)
class QuestionSnapshot:
    """What decides an answer's meaning in one version of a question."""

    kind: str
    prompt: str
    scoring: str
    options: tuple[tuple[str, str, bool], ...]  # (id, text, correct), in the order written
    key: tuple[str, ...]  # the right option ids (an ordering question: the right order)

    @property
    def option_ids(self) -> list[str]:
        return [option_id for option_id, _, _ in self.options]

    @property
    def option_texts(self) -> dict[str, str]:
        return {option_id: text for option_id, text, _ in self.options}


def snapshot_of(question: Question) -> QuestionSnapshot:
    return QuestionSnapshot(
        kind=question.kind,
        prompt=question.prompt,
        scoring=question.scoring,
        options=tuple((o.id, o.text, o.correct) for o in question.options),
        key=tuple(question.correct_option_ids),
    )


def _row(quiz_id: str, question: Question, content_version: str) -> dict:
    snapshot = snapshot_of(question)
    return {
        "quiz_id": quiz_id,
        "question_id": question.id,
        "version": question.version,
        "kind": snapshot.kind,
        "prompt": snapshot.prompt,
        "scoring": snapshot.scoring,
        "options": [{"id": i, "text": t, "correct": c} for i, t, c in snapshot.options],
        "key": list(snapshot.key),
        "content_version": content_version,
    }


def record_versions(connection: Connection, catalogue: Catalogue) -> int:
    """Store every question version of `catalogue` not on record yet; return how many were new.

    One read when nothing is new. The insert skips a version another process stored in the
    meantime (insert-if-absent on the unique key), so workers starting together store each
    version once. Runs in the caller's transaction; commits nothing.
    """
    table = QuestionVersion.__table__
    stored = {
        tuple(row)
        for row in connection.execute(
            select(table.c.quiz_id, table.c.question_id, table.c.version).where(
                table.c.quiz_id.in_(sorted(catalogue.quizzes))
            )
        )
    }
    rows = [
        _row(quiz.id, question, catalogue.version)
        for quiz in catalogue.quizzes.values()
        for question in quiz.questions
        if (quiz.id, question.id, question.version) not in stored
    ]
    if not rows:
        return 0
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).on_conflict_do_nothing(
        index_elements=["quiz_id", "question_id", "version"]
    )
    new = 0
    for row in rows:  # one by one: RETURNING tells which were new, whatever the driver
        new += connection.execute(statement.values(**row).returning(table.c.id)).first() is not None
    return new


def snapshots(keys: Iterable[VersionKey]) -> dict[VersionKey, QuestionSnapshot]:
    """The versions on record among `keys` (one query)."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows = db.session.scalars(
        select(QuestionVersion).where(
            QuestionVersion.quiz_id.in_(sorted({k[0] for k in wanted})),
            QuestionVersion.question_id.in_(sorted({k[1] for k in wanted})),
            QuestionVersion.version.in_(sorted({k[2] for k in wanted})),
        )
    )
    found = {}
    for row in rows:
        key = (row.quiz_id, row.question_id, row.version)
        if key in wanted:
            found[key] = QuestionSnapshot(
                kind=row.kind,
                prompt=row.prompt,
                scoring=row.scoring,
                options=tuple((o["id"], o["text"], bool(o["correct"])) for o in row.options),
                key=tuple(row.key),
            )
    return found
