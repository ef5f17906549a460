"""A learner in the browser: register, read, answer every kind of question, see results and progress."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attempt, User
from config import Config
from tests.conftest import quiz_form_data, right_answers, wrong_answers


@pytest.fixture
def logged_in(client, auth, learner):
    auth.login(learner.email)
    return client


def attempt_token(html: str) -> str:
    return re.search(r'name="attempt_token" type="hidden" value="([^"]+)"', html).group(1)


def submit(client, quiz, answers):
    page = client.get(f"/quizzes/{quiz.id}")
    assert page.status_code == 200
    return client.post(
        f"/quizzes/{quiz.id}", data=quiz_form_data(quiz, answers, attempt_token(page.text))
    )


def count_attempts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Attempt))


def test_register_then_see_the_course(client, catalogue):
    response = client.post(
        "/auth/register",
        data={
            "name": "Nora New",
            "email": "  Nora@Example.com ",
            "password": "a sentence that is long",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"
    page = client.get("/auth/login")
    assert "your account is ready: log in" in page.text
    login = client.post(
        "/auth/login", data={"email": "nora@example.com", "password": "a sentence that is long"}
    )
    assert login.status_code == 302
    home = client.get("/")
    assert "Hello, Nora New" in home.text
    for module in catalogue.modules:
        assert module.title in home.text
    first = catalogue.modules[0]
    assert f'href="/modules/{first.id}/lessons/{first.lessons[0].id}"' in home.text


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "A", "email": "not-an-email", "password": "long enough password"}, "valid email"),
        ({"name": "A", "email": "a@example.com", "password": "short"}, "at least 12"),
        ({"name": "A", "email": "a@example.com", "password": "password1234"}, "most common"),
        (
            {"name": "", "email": "a@example.com", "password": "long enough password"},
            "This field is required",
        ),
    ],
)
def test_registration_errors_are_explained(client, form, message):
    response = client.post("/auth/register", data=form)
    assert response.status_code == 422
    assert message in response.text


def test_an_email_registers_once_and_the_answer_tells_nobody_it_had(client, app, learner):
    """Issue 12: registering an address that has an account answers exactly as for a new one,
    changes nothing, and logs nobody in."""
    taken = client.post(
        "/auth/register",
        data={"name": "Twin", "email": learner.email.upper(), "password": "long enough password"},
    )
    taken_page = client.get("/auth/login").text
    new = client.post(
        "/auth/register",
        data={"name": "New", "email": "brand-new@example.com", "password": "long enough password"},
    )
    new_page = client.get("/auth/login").text
    assert taken.status_code == new.status_code == 303
    assert taken.headers["Location"] == new.headers["Location"]
    assert "already exists" not in taken_page
    assert taken_page == new_page
    assert client.get("/auth/account").status_code == 302  # nobody was logged in
    with app.app_context():
        twin = db.session.get(User, learner.id)
        assert (twin.name, twin.password_hash) == (learner.name, learner.password_hash)


def test_registration_has_a_rate_limit(app, client, monkeypatch):
    assert Config.REGISTRATIONS_PER_IP == "10 per hour"
    monkeypatch.setitem(app.config, "REGISTRATIONS_PER_IP", Config.REGISTRATIONS_PER_IP)
    for number in range(10):
        response = client.post(
            "/auth/register",
            data={
                "name": "R",
                "email": f"r{number}@example.com",
                "password": "long enough password",
            },
        )
        assert response.status_code == 303
    response = client.post(
        "/auth/register",
        data={"name": "R", "email": "r-late@example.com", "password": "long enough password"},
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.text


def test_pages_need_a_login(client, catalogue):
    module = catalogue.modules[0]
    for url in (
        "/progress",
        f"/modules/{module.id}",
        f"/modules/{module.id}/lessons/{module.lessons[0].id}",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/auth/login?next=" in response.location


def test_lesson_page_has_contents_and_neighbours(logged_in, catalogue):
    module = catalogue.modules[0]
    middle = module.lessons[1]
    page = logged_in.get(f"/modules/{module.id}/lessons/{middle.id}")
    assert page.status_code == 200
    assert f"<h1>{middle.title}</h1>" in page.text.replace("&#39;", "'")
    assert 'rel="prev"' in page.text
    assert 'rel="next"' in page.text
    assert 'aria-current="page"' in page.text
    for lesson in module.lessons:
        assert f"/modules/{module.id}/lessons/{lesson.id}" in page.text
    assert logged_in.get(f"/modules/{module.id}/lessons/nope").status_code == 404
    assert logged_in.get("/modules/nope").status_code == 404


def test_continue_goes_to_the_first_unread_lesson(logged_in, catalogue):
    module = catalogue.modules[0]
    logged_in.get(f"/modules/{module.id}/lessons/{module.lessons[0].id}")
    home = logged_in.get("/")
    assert f"/modules/{module.id}/lessons/{module.lessons[1].id}" in home.text


def test_quiz_page_uses_fieldsets_and_legends(logged_in, catalogue):
    for quiz in catalogue.quizzes.values():
        page = logged_in.get(f"/quizzes/{quiz.id}")
        assert page.status_code == 200
        shown = 1 if quiz.feedback == "each" else len(quiz.questions)  # one by one
        assert page.text.count("<fieldset") == shown
        assert page.text.count("<legend>") == shown


@pytest.mark.parametrize("quiz_id", ["five-steps-check", "close-connection-check"])
def test_answering_every_kind_and_reading_the_result(logged_in, catalogue, quiz_id):
    quiz = catalogue.quiz(quiz_id)
    response = submit(logged_in, quiz, right_answers(quiz))
    assert response.status_code == 303
    result = logged_in.get(response.location)
    assert result.status_code == 200
    assert f"{quiz.max_score} / {quiz.max_score}" in result.text
    assert "✓ Passed" in result.text
    assert "Your answer" in result.text
    assert "✓ Right answer" in result.text
    for question in quiz.questions:
        assert question.explanation_html.strip() in result.text
    if any(q.kind == "ordering" for q in quiz.questions):  # the learner's order was right
        assert "Your order" in result.text
        assert "The right order" not in result.text


def test_a_failed_attempt_shows_what_was_right(logged_in, catalogue):
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    result = logged_in.get(submit(logged_in, quiz, wrong_answers(quiz)).location)
    assert "Not passed yet" in result.text
    assert "✗ Not right" in result.text


def test_a_double_submit_counts_once(logged_in, app, catalogue):
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    page = logged_in.get(f"/quizzes/{quiz.id}")
    data = quiz_form_data(quiz, right_answers(quiz), attempt_token(page.text))
    first = logged_in.post(f"/quizzes/{quiz.id}", data=data)
    second = logged_in.post(f"/quizzes/{quiz.id}", data=data)
    assert first.location == second.location
    assert count_attempts(app) == 1


def test_an_unanswered_question_is_pointed_out_and_nothing_is_stored(logged_in, app, catalogue):
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    data = quiz_form_data(quiz, right_answers(quiz), "123.abc")
    skipped = next(q for q in quiz.questions if q.kind in ("single", "multiple"))
    del data[f"q__{skipped.id}"]
    response = logged_in.post(f"/quizzes/{quiz.id}", data=data)
    assert response.status_code == 422
    assert "Please check the form" in response.text
    assert count_attempts(app) == 0


def test_an_ordering_position_used_twice_is_refused(logged_in, app, catalogue):
    quiz = next(
        q for q in catalogue.quizzes.values() if any(x.kind == "ordering" for x in q.questions)
    )
    question = next(q for q in quiz.questions if q.kind == "ordering")
    data = quiz_form_data(quiz, right_answers(quiz), "123.abc")
    for option in question.options:
        data[f"q__{question.id}__{option.id}"] = "1"
    response = logged_in.post(f"/quizzes/{quiz.id}", data=data)
    assert response.status_code == 422
    assert "Use each position once" in response.text
    assert count_attempts(app) == 0


def test_retakes_are_kept_and_progress_shows_the_best(logged_in, catalogue):
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    submit(logged_in, quiz, wrong_answers(quiz))
    submit(logged_in, quiz, right_answers(quiz))
    page = logged_in.get("/progress")
    assert f"Best score: <strong>{quiz.max_score} / {quiz.max_score}</strong>" in page.text
    assert page.text.count(f"0 / {quiz.max_score}") == 1


def test_trust_self_assessment_result_and_comparison(logged_in, catalogue):
    quiz = catalogue.quiz("trust-self-assessment")
    lowest = {q.id: [q.options[0].id] for q in quiz.questions}
    first = logged_in.get(submit(logged_in, quiz, lowest).location)
    assert "Trust = (Care × Accountability)" in first.text
    assert "Work on this first" in first.text
    highest = {q.id: [q.options[-1].id] for q in quiz.questions}
    second = logged_in.get(submit(logged_in, quiz, highest).location)
    assert "<strong>100</strong> out of 100" in second.text
    assert "Compared with your previous result (0)" in second.text
    progress = logged_in.get("/progress")
    assert "trust 100 / 100" in progress.text
    assert "previously 0" in progress.text


def test_life_positions_result_marks_the_grid(logged_in, catalogue):
    quiz = catalogue.quiz("life-positions-situations")
    cooperative = {}
    for question in quiz.questions:
        cooperative[question.id] = [
            next(
                o.id
                for o in question.options
                if o.weights.get("self", 0) > 0 and o.weights.get("others", 0) > 0
            )
        ]
    page = logged_in.get(submit(logged_in, quiz, cooperative).location)
    assert '<table class="grid-table">' in page.text
    assert "You are here" in page.text
    assert "Cooperation" in page.text


def test_profile_items_show_the_source_answer_without_a_mark(logged_in, catalogue):
    quiz = catalogue.quiz("close-connection-check")
    page = logged_in.get(submit(logged_in, quiz, right_answers(quiz)).location)
    assert "About you: not marked" in page.text
    assert "The source’s answer" in page.text


def test_someone_elses_attempt_is_404(client, auth, make, catalogue):
    quiz = next(iter(catalogue.quizzes.values()))
    owner, other = make.user(), make.user()
    auth.login(owner.email)
    location = submit(client, quiz, right_answers(quiz)).location
    auth.logout()
    auth.login(other.email)
    assert client.get(location).status_code == 404
    assert client.get("/attempts/999999").status_code == 404
    assert client.get("/quizzes/nope").status_code == 404


def test_the_whole_course_in_the_browser(logged_in, catalogue):
    for module in catalogue.modules:
        for lesson in module.lessons:
            assert logged_in.get(f"/modules/{module.id}/lessons/{lesson.id}").status_code == 200
        for quiz_id in module.quizzes:
            quiz = catalogue.quiz(quiz_id)
            assert submit(logged_in, quiz, right_answers(quiz)).status_code == 303
    home = logged_in.get("/")
    assert "You have completed every module" in home.text
    assert home.text.count("✓ Completed") == len(catalogue.modules)
