"""Progress, answers and attempts are stored in the database and survive an app restart."""

from __future__ import annotations

from pathlib import Path

from app.extensions import db
from tests.conftest import PASSWORD, make_app, right_answers


def test_progress_survives_a_restart(tmp_path: Path, committed_db):
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    first = make_app(url)
    with first.app_context():
        db.create_all()
    client = first.test_client()
    client.post(
        "/auth/register", data={"name": "Rita", "email": "rita@example.com", "password": PASSWORD}
    )
    catalogue = first.extensions["rapport_catalogue"]
    module = catalogue.modules[0]
    quiz = next(q for q in catalogue.quizzes_of(module) if q.is_graded)  # not its pre-test
    client.get(f"/modules/{module.id}/lessons/{module.lessons[0].id}")
    from tests.conftest import quiz_form_data

    client.post(f"/quizzes/{quiz.id}", data=quiz_form_data(quiz, right_answers(quiz), "1.x"))
    with first.app_context():
        db.engine.dispose()

    second = make_app(url)  # a new process would build exactly this
    again = second.test_client()
    assert again.get("/progress").status_code == 302  # the old session cookie is not carried over
    again.post("/auth/login", data={"email": "rita@example.com", "password": PASSWORD})
    page = again.get("/progress")
    assert "1 of " in page.text
    assert f"Best score: <strong>{quiz.max_score} / {quiz.max_score}</strong>" in page.text
    with second.app_context():
        db.engine.dispose()
