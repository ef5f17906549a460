"""A learner and pre-tests: offered on the module page before the lessons, skippable, never
passed or failed or needed to complete the module; and their own result per concept after a
quiz, with a link to the lesson to revisit."""

from __future__ import annotations

from tests.conftest import right_answers, wrong_answers
from tests.web.test_learner_journey import logged_in, submit  # noqa: F401 - a fixture

MODULE = "trust-formula"
PRE, POST = "trust-formula-pre-test", "trust-formula-check"


def test_the_module_page_offers_the_pre_test_before_the_lessons(logged_in):  # noqa: F811
    page = logged_in.get(f"/modules/{MODULE}").text
    assert "Before you start: a short check" in page
    assert f'href="/quizzes/{PRE}">Take the check</a>' in page
    assert f'href="/modules/{MODULE}/lessons/anna-and-jack">Skip it and start the lessons' in page
    assert page.index("Before you start") < page.index("<h2>Lessons</h2>")
    # The module's own next step is still its first lesson: the check is optional.
    assert f'href="/modules/{MODULE}/lessons/anna-and-jack">Start the module</a>' in page


def test_a_pre_test_has_a_score_but_no_verdict_and_shows_concepts(logged_in, catalogue):  # noqa: F811
    pre = catalogue.quiz(PRE)
    answers = right_answers(pre)
    answers["pre-accountability"] = wrong_answers(pre)["pre-accountability"]
    result = submit(logged_in, pre, answers)
    assert result.status_code == 303
    page = logged_in.get(result.headers["Location"]).text
    assert "3 / 4" in page
    assert "nothing is passed or failed" in page
    assert "Not passed yet" not in page
    assert "; revisit <strong>Accountability</strong>." in page
    assert f'href="/modules/{MODULE}/lessons/accountability">Read “Accountability” again' in page
    assert f'href="/modules/{MODULE}/lessons/anna-and-jack">Start the lessons' in page
    module = logged_in.get(f"/modules/{MODULE}").text
    assert "Before you start: a short check" not in module


def test_the_pre_test_is_not_needed_to_complete_the_module(logged_in, catalogue):  # noqa: F811
    module = catalogue.module(MODULE)
    for lesson in module.lessons:
        logged_in.get(f"/modules/{MODULE}/lessons/{lesson.id}")
    for quiz in catalogue.quizzes_of(module):
        if not quiz.is_pre_test:
            submit(logged_in, quiz, right_answers(quiz))
    page = logged_in.get(f"/modules/{MODULE}").text
    assert "✓ Module completed" in page
    # The quiz is taken: a check now would measure nothing.
    assert "Before you start: a short check" not in page


def test_the_learner_sees_their_result_per_concept(logged_in, catalogue):  # noqa: F811
    quiz = catalogue.quiz(POST)
    answers = right_answers(quiz)
    wrong = wrong_answers(quiz)
    for question_id in ("unclear-client", "florist-mistake"):
        answers[question_id] = wrong[question_id]
    result = submit(logged_in, quiz, answers)
    page = logged_in.get(result.headers["Location"]).text
    # Accountability: plumber-new-client right, the two others wrong → 1 of 3.
    assert "Strong on <strong>What trust earns you</strong>" in page
    assert "revisit <strong>Accountability</strong>" in page
    assert "1 of 3 right" in page
    assert f'href="/modules/{MODULE}/lessons/accountability"' in page
