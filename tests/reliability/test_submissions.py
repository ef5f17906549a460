"""Quiz submissions: all or nothing, recorded once however often they are sent, even at once."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import Answer, Attempt, User
from app.services import cohorts
from tests.conftest import quiz_form_data, right_answers, wrong_answers
from tests.trainer.test_summaries import assert_summaries_match_live


def count(app: Flask, model, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.session.scalar(query)


@pytest.fixture
def graded_quiz(catalogue):
    return next(q for q in catalogue.quizzes.values() if q.is_graded)


@pytest.fixture
def failing_statement(app: Flask) -> Iterator[Callable[[str], None]]:
    """Make the database fail on the first statement that starts with a given SQL prefix."""
    armed: dict[str, str] = {}

    def before(conn, cursor, statement: str, *_args) -> None:
        prefix = armed.get("prefix")
        if prefix and statement.lstrip().upper().startswith(prefix):
            armed.clear()
            raise OperationalError(statement, {}, RuntimeError("connection lost mid-way"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield lambda prefix: armed.update(prefix=prefix)
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_a_failure_after_the_attempt_is_written_stores_nothing(
    committed_db, app, make, graded_quiz, failing_statement
):
    """The attempt row is inserted, then the answers fail: the whole submission is undone."""
    from tests.conftest import Api

    api = Api(app.test_client(), make.token(make.user()))
    failing_statement("INSERT INTO ANSWER")
    response = api.post(
        f"/quizzes/{graded_quiz.id}/attempts", json={"answers": right_answers(graded_quiz)}
    )
    assert response.status_code == 503
    assert response.json["error"]["code"] == "unavailable"
    assert count(app, Attempt) == 0
    assert count(app, Answer) == 0
    # Sent again once the database is back, it is stored, whole.
    response = api.post(
        f"/quizzes/{graded_quiz.id}/attempts", json={"answers": right_answers(graded_quiz)}
    )
    assert response.status_code == 201
    assert count(app, Attempt) == 1
    assert count(app, Answer) == len(graded_quiz.questions)


def test_a_failure_in_the_html_form_stores_nothing_and_shows_a_friendly_page(
    committed_db, app, make, graded_quiz, failing_statement
):
    user = make.user()
    client = app.test_client()
    from tests.conftest import PASSWORD

    client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    failing_statement("INSERT INTO ANSWER")
    response = client.post(
        f"/quizzes/{graded_quiz.id}",
        data=quiz_form_data(graded_quiz, right_answers(graded_quiz), "1.abc"),
    )
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.text
    assert count(app, Attempt) == 0
    assert count(app, Answer) == 0


def test_invalid_answers_store_nothing(api, app, graded_quiz):
    answers = right_answers(graded_quiz)
    answers[graded_quiz.questions[-1].id] = ["no-such-option"]
    response = api.post(f"/quizzes/{graded_quiz.id}/attempts", json={"answers": answers})
    assert response.status_code == 422
    assert count(app, Attempt) == 0
    assert count(app, Answer) == 0


def attempt_token(html: str) -> str:
    return re.search(r'name="attempt_token" type="hidden" value="([^"]+)"', html).group(1)


def test_the_html_form_sent_twice_is_one_attempt(client, auth, learner, app, graded_quiz):
    auth.login(learner.email)
    token = attempt_token(client.get(f"/quizzes/{graded_quiz.id}").text)
    data = quiz_form_data(graded_quiz, right_answers(graded_quiz), token)
    first = client.post(f"/quizzes/{graded_quiz.id}", data=data)
    second = client.post(f"/quizzes/{graded_quiz.id}", data=data)
    assert first.status_code == second.status_code == 303
    assert first.location == second.location
    assert count(app, Attempt) == 1
    # A fresh rendering of the form is a new attempt (a retake).
    token = attempt_token(client.get(f"/quizzes/{graded_quiz.id}").text)
    client.post(
        f"/quizzes/{graded_quiz.id}",
        data=quiz_form_data(graded_quiz, right_answers(graded_quiz), token),
    )
    assert count(app, Attempt) == 2


def test_an_api_retry_returns_the_same_attempt(api, app, graded_quiz):
    body = {"answers": right_answers(graded_quiz)}
    url = f"/quizzes/{graded_quiz.id}/attempts"
    first = api.post(url, json=body, headers={"Idempotency-Key": "retry-1"})
    again = api.post(url, json=body, headers={"Idempotency-Key": "retry-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(app, Attempt) == 1
    assert count(app, Answer) == len(graded_quiz.questions)


def test_the_same_key_with_another_body_is_409_and_stores_nothing(api, app, graded_quiz, catalogue):
    url = f"/quizzes/{graded_quiz.id}/attempts"
    api.post(url, json={"answers": right_answers(graded_quiz)}, headers={"Idempotency-Key": "k"})
    other = api.post(
        url, json={"answers": wrong_answers(graded_quiz)}, headers={"Idempotency-Key": "k"}
    )
    assert other.status_code == 409
    assert other.json["error"]["code"] == "idempotency_conflict"
    another_quiz = next(q for q in catalogue.quizzes.values() if q.id != graded_quiz.id)
    response = api.post(
        f"/quizzes/{another_quiz.id}/attempts",
        json={"answers": right_answers(another_quiz)},
        headers={"Idempotency-Key": "k"},
    )
    assert response.status_code == 409
    assert count(app, Attempt) == 1


def test_keys_belong_to_one_user(api, client, make, app, graded_quiz):
    from tests.conftest import Api

    other = Api(client, make.token(make.user()))
    body = {"answers": right_answers(graded_quiz)}
    url = f"/quizzes/{graded_quiz.id}/attempts"
    mine = api.post(url, json=body, headers={"Idempotency-Key": "shared"})
    theirs = other.post(url, json=body, headers={"Idempotency-Key": "shared"})
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json["id"] != theirs.json["id"]


@pytest.mark.parametrize("key", ["x" * 81, "tab\there", "line\x7fend"])
def test_unusable_keys_are_400(api, app, graded_quiz, key):
    response = api.post(
        f"/quizzes/{graded_quiz.id}/attempts",
        json={"answers": right_answers(graded_quiz)},
        headers={"Idempotency-Key": key},
    )
    assert response.status_code == 400
    assert count(app, Attempt) == 0


def submit_all(
    app: Flask, jobs: list[tuple[str, str, dict, str | None]], field: str = "id"
) -> list:
    """Send every (token, quiz id, answers, idempotency key) at once, one thread each; each
    response's status and `field`."""
    start = threading.Barrier(len(jobs))

    def send(job):
        token, quiz_id, answers, key = job
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = key
        start.wait(timeout=30)
        response = client.post(
            f"/api/v1/quizzes/{quiz_id}/attempts", json={"answers": answers}, headers=headers
        )
        return response.status_code, (response.json or {}).get(field)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(send, jobs))


def test_fifty_learners_submitting_at_once_are_all_stored_once(
    committed_db, app, make, graded_quiz
):
    learners = [make.user() for _ in range(50)]
    tokens = [make.token(user) for user in learners]
    answers = right_answers(graded_quiz)
    results = submit_all(app, [(t, graded_quiz.id, answers, None) for t in tokens])
    assert [status for status, _ in results] == [201] * 50
    assert len({attempt_id for _, attempt_id in results}) == 50
    assert count(app, Attempt) == 50
    assert count(app, Answer) == 50 * len(graded_quiz.questions)
    for user in learners:
        assert count(app, Attempt, user_id=user.id) == 1


def test_ten_submissions_by_one_learner_at_once_are_ten_attempts(
    committed_db, app, make, graded_quiz
):
    user = make.user()
    token = make.token(user)
    answers = right_answers(graded_quiz)
    results = submit_all(app, [(token, graded_quiz.id, answers, f"key-{n}") for n in range(10)])
    assert [status for status, _ in results] == [201] * 10
    assert count(app, Attempt, user_id=user.id) == 10
    assert count(app, Answer) == 10 * len(graded_quiz.questions)


def test_submissions_by_one_learner_at_once_are_numbered_in_turn(
    committed_db, app, make, catalogue
):
    """Each attempt is judged by the review policy with the attempts stored before it, even
    when several are sent at once (on PostgreSQL, each waits for the one before to commit)."""
    quiz = next(q for q in catalogue.quizzes.values() if isinstance(q.review_policy, int))
    token = make.token(make.user())
    job = (token, quiz.id, wrong_answers(quiz), None)
    assert submit_all(app, [job], "review_allowed") == [(201, quiz.review_policy <= 1)]
    results = submit_all(app, [job] * 6, "review_allowed")
    assert [status for status, _ in results] == [201] * 6
    # The 2nd to the 7th attempt: the answers are shown from the attempt the policy names.
    shown = sorted(allowed for _, allowed in results)
    assert shown == sorted(number >= quiz.review_policy for number in range(2, 8))


def test_ten_copies_of_one_submission_at_once_are_one_attempt(committed_db, app, make, graded_quiz):
    user = make.user()
    token = make.token(user)
    answers = right_answers(graded_quiz)
    results = submit_all(app, [(token, graded_quiz.id, answers, "same-key")] * 10)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 9 + [201]
    assert len({attempt_id for _, attempt_id in results}) == 1
    assert count(app, Attempt, user_id=user.id) == 1
    assert count(app, Answer) == len(graded_quiz.questions)


def test_a_lost_race_on_the_same_key_returns_the_winner(api, app, graded_quiz, monkeypatch):
    """Two requests with one key both find no attempt; the second insert hits the unique key
    and answers with the first attempt instead of a 500 or a second row."""
    from app.services import attempts

    url = f"/quizzes/{graded_quiz.id}/attempts"
    body = {"answers": right_answers(graded_quiz)}
    first = api.post(url, json=body, headers={"Idempotency-Key": "race"})
    real = attempts._attempt_for_key
    lookups: list[str] = []

    def too_early_the_first_time(user_id: int, key: str):
        lookups.append(key)
        return None if len(lookups) == 1 else real(user_id, key)

    monkeypatch.setattr(attempts, "_attempt_for_key", too_early_the_first_time)
    again = api.post(url, json=body, headers={"Idempotency-Key": "race"})
    assert len(lookups) == 2  # the race path was taken
    assert again.status_code == 200
    assert again.json["id"] == first.json["id"]
    assert count(app, Attempt) == 1


def test_learners_of_two_cohorts_submitting_at_once_keep_the_reports_right(
    committed_db, app, make, graded_quiz
):
    """Every submission adds to both cohorts' report totals in the same transaction: at once,
    none is lost, none deadlocks, and the totals equal the figures computed from the rows."""
    trainer = make.user(role="trainer")
    learners = [make.user() for _ in range(24)]
    tokens = [make.token(user) for user in learners]
    with app.app_context():
        coach = db.session.get(User, trainer.id)
        both = [cohorts.create_cohort(coach, name) for name in ("Morning", "Evening")]
        for user in learners:
            for cohort in both:
                cohorts.join_cohort(db.session.get(User, user.id), cohort.join_code)
        db.session.commit()
        cohort_ids = [cohort.id for cohort in both]
    jobs = [
        (token, graded_quiz.id, (right_answers if n % 3 else wrong_answers)(graded_quiz), None)
        for n, token in enumerate(tokens)
    ]
    results = submit_all(app, jobs + jobs[:8])  # eight learners send a retake at the same time
    assert [status for status, _ in results] == [201] * 32
    with app.app_context():
        for cohort_id in cohort_ids:
            shown = assert_summaries_match_live(cohort_id)
            quiz = next(q for q in shown["quizzes"] if q["id"] == graded_quiz.id)
            assert (quiz["attempts"], quiz["learners"]) == (32, 24)
