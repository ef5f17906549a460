"""The text of each question version on record: stored once when content is served, and used to
describe an edit made after learners answered (`content impact`, the admin page, `--rescore`).

Version A is the tiny course as written; the world's answers are all to A (see
tests/trainer/conftest.py). Version B, published after, changes `check`:
    q1 prompt reworded                      answers a a a b b a c   → none scores differently
    q2 key a → b                            answers a a b b b a b   → all 7 flip
    q3 option c removed                     answers ab ac ab ab ab ab c: ac and c stay wrong → 0
    q4 kind single → multiple, b right too  answers a a a a a a b: the six [a] become wrong → 6
Each has 7 answers by 5 learners: 28 answers in all, 13 scoring differently.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attempt, ContentDecision, QuestionVersion
from tests.conftest import PROJECT_ROOT, make_app, publishing
from tests.trainer.conftest import CONTENT, World, log_in, new_user
from tests.trainer.test_content_impact import KEY_CHANGED, OPTION_REMOVED, REWORDED, edited

KIND_CHANGED = (
    "  - id: q4\n    kind: single\n    prompt: Everyone gets this\n    options:\n"
    "      - {id: a, text: Obvious, correct: true}\n      - {id: b, text: Silly}\n",
    "  - id: q4\n    kind: multiple\n    prompt: Everyone gets this\n    options:\n"
    "      - {id: a, text: Obvious, correct: true}\n      - {id: b, text: Silly, correct: true}\n",
)
OPTION_ADDED = (
    "      - {id: c, text: Rarely chosen}\n",
    "      - {id: c, text: Rarely chosen}\n      - {id: d, text: A new one}\n",
)
B = (REWORDED, KEY_CHANGED, OPTION_REMOVED, KIND_CHANGED)

LINES = [
    "check/q1: 7 answers by 5 learners to an older version; 0 would now score differently",
    "    changed: prompt reworded",
    "check/q2: 7 answers by 5 learners to an older version; 7 would now score differently",
    "    changed: key changed (a → b)",
    "check/q3: 7 answers by 5 learners to an older version; 0 would now score differently",
    "    changed: option(s) removed: c",
    "check/q4: 7 answers by 5 learners to an older version; 6 would now score differently",
    "    changed: kind changed (single → multiple); key changed (a → a, b)",
]
TOTAL = (
    "Total: 4 changed question(s) with 28 answers by 5 learners to older versions; "
    "13 would now score differently"
)


def run(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=["content", *args], catch_exceptions=False)


def block(lines: list[str], key: str) -> list[str]:
    """The lines `content impact` prints about one question (its line and the indented ones)."""
    start = next(i for i, x in enumerate(lines) if x.startswith(f"{key}: "))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), None)
    return lines[start:end]


def stored_versions() -> int:
    return db.session.scalar(select(func.count(QuestionVersion.id)))


def test_each_version_is_stored_once(small, world: World):
    first = run(small, "record")
    assert first.exit_code == 0
    # The tiny course: check has q1..q5 and p1, mood three questions.
    assert first.output.startswith("9 new question version(s) stored")
    assert run(small, "record").output.startswith("0 new question version(s) stored")
    assert stored_versions() == 9
    q4 = db.session.scalar(select(QuestionVersion).where(QuestionVersion.question_id == "q4"))
    assert (q4.kind, q4.prompt, q4.scoring, q4.key) == (
        "single",
        "Everyone gets this",
        "all",
        ["a"],
    )
    assert q4.options == [
        {"id": "a", "text": "Obvious", "correct": True},
        {"id": "b", "text": "Silly", "correct": False},
    ]


def test_the_impact_describes_the_change_from_the_version_on_record(small, world, tmp_path):
    assert run(small, "record").exit_code == 0  # A was served when the answers were given
    with publishing(small, edited(tmp_path, *B)):
        result = run(small, "impact")
        assert result.exit_code == 0
        lines = result.output.splitlines()
        shown = [x for x in lines if not x.startswith("    ") or x.startswith("    changed: ")]
        assert shown == [*LINES, TOTAL]
        assert run(small, "record").output.startswith("4 new question version(s) stored")
    assert stored_versions() == 13  # A's nine and B's four changed questions
    assert db.session.scalar(select(ContentDecision.id)) is None


def test_without_the_version_on_record_the_change_cannot_be_told(small, world, tmp_path):
    with publishing(small, edited(tmp_path, REWORDED)):
        lines = run(small, "impact").output.splitlines()
    assert lines[0] == LINES[0]
    assert lines[1] == (
        "    changed: 1 older version(s) whose text is not on record "
        "(preview with --dir before deploying to see it)"
    )


def test_rescore_checks_the_options_and_kind_on_record(small, world, tmp_path):
    assert run(small, "record").exit_code == 0
    with publishing(small, edited(tmp_path, *B, OPTION_ADDED)):
        lines = run(small, "impact").output.splitlines()
        assert "    rescore is not possible: its kind changed" in block(lines, "check/q4")
        assert "    rescore is not possible: its options are not the same ids as before" in (
            block(lines, "check/q1")
        )
        for key in ("check/q4", "check/q1"):  # q1: option d added, which no answer names
            refused = run(small, "decide", key, "--rescore")
            assert refused.exit_code == 1
            assert "cannot be rescored" in refused.output
        assert "option(s) added: d" in lines[1]
        # q2 has the same option ids: it can be rescored (b is right now; L2's pass becomes
        # a fail, so --force): L1 3/5, L2 2/5, L3 4/5, L4 3/5 then 3/5, L5 3/5 then 1/5.
        result = run(small, "decide", "check/q2", "--rescore", "--force")
        assert result.exit_code == 0, result.output
    scores = db.session.execute(
        select(Attempt.score, Attempt.max_score)
        .where(Attempt.quiz_id == "check")
        .order_by(Attempt.id)
    ).all()
    assert [tuple(s) for s in scores] == [(3, 5), (2, 5), (4, 5), (3, 5), (3, 5), (3, 5), (1, 5)]


def test_the_admin_page_describes_the_change_and_shows_the_older_wording(
    small, sclient, world, tmp_path
):
    assert run(small, "record").exit_code == 0
    admin = new_user("Ada Admin", "admin")
    db.session.commit()
    log_in(sclient, admin)
    with publishing(small, edited(tmp_path, *B)):
        page = sclient.get("/admin/content")
    assert page.status_code == 200
    assert "<strong>What changed:</strong> prompt reworded" in page.text
    assert "kind changed (single → multiple); key changed (a → a, b)" in page.text
    assert "Question one, put another way" in page.text
    assert "Question one</p>" in page.text  # the wording the answers were given to
    assert "whose text is not on record" not in page.text
    assert f"{TOTAL}." in page.text


# ------------------------------------------------------------------------------- start-up


def start(database_url: str) -> Flask:
    app = make_app(database_url, CONTENT_DIR=CONTENT, RECORD_QUESTION_VERSIONS=True)
    with app.app_context():
        db.engine.dispose()
    return app


@pytest.mark.usefixtures("committed_db")  # the app commits at start-up: emptied after
def test_the_app_stores_the_versions_when_it_starts_once_even_when_starting_together(
    app, database_url, tmp_path
):
    """Worker processes start together (gunicorn forks them at once): each records the versions
    it serves, and every version is stored once."""
    start(database_url)
    with app.app_context():
        assert stored_versions() == 9
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(QuestionVersion.__table__.delete())
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RAPPORT_ENV": "development",
        "RAPPORT_INSTANCE_PATH": str(tmp_path / "instance"),
        "RAPPORT_CONTENT_DIR": str(CONTENT),
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "run", "content", "record"],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(4)
    ]
    for worker in workers:
        output, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0, output
    with app.app_context():
        assert stored_versions() == 9
        db.session.remove()


def test_the_app_starts_when_the_database_cannot_store_them(tmp_path):
    for url in (
        "postgresql+psycopg://postgres@127.0.0.1:1/test",  # unreachable
        f"sqlite:///{tmp_path / 'not-upgraded.db'}",  # no question_version table yet
    ):
        app = start(url)
        assert app.test_client().get("/healthz").status_code in (200, 503)
