"""axe-core on every page type, at desktop width and at 320 px; every quiz done by keyboard alone."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.services import attempts
from tests.conftest import right_answers, wrong_answers
from tests.e2e.conftest import assert_accessible, check_page, focus_is_visible, log_in, screenshot

pytestmark = pytest.mark.e2e

QUIZZES = [
    "trust-formula-check",  # single and multiple
    "trust-self-assessment",  # profile questions, trust-formula profile
    "five-steps-check",  # ordering
    "close-connection-check",  # graded with profile questions (dominant profiles)
    "life-positions-check",
    "life-positions-situations",  # profile questions, grid profile
]
VISITOR_PAGES = {
    "home-visitor": "/",
    "login": "/auth/login",
    "register": "/auth/register",
    "error-404": "/no-such-page",
}
LEARNER_PAGES = {
    "home-learner": "/",
    "module": "/modules/five-steps",
    "lesson": "/modules/trust-formula/lessons/the-trust-formula",
    "lesson-figure-split": "/modules/trust-formula/lessons/effective-communication",
    "lesson-figure-five-steps": "/modules/five-steps/lessons/the-five-steps",
    "lesson-figure-quality": "/modules/five-steps/lessons/image-of-service",
    "trust-calculator": "/trust-calculator?care=6&accountability=4&communication=7",
    "trust-calculator-error": "/trust-calculator?care=abc",
    "progress": "/progress",
    "account": "/auth/account",
    "error-404-learner": "/modules/no-such-module",
    **{f"quiz-{quiz_id}": f"/quizzes/{quiz_id}" for quiz_id in QUIZZES},
    **{f"result-{quiz_id}": f"result:{quiz_id}" for quiz_id in QUIZZES},
}


@pytest.fixture(scope="module")
def learner_state(live_server, browser) -> dict:
    """A learner who has read a lesson and taken every quiz twice, and their browser cookies."""
    user = live_server.user(name="Ada Access")
    results: dict[str, int] = {}
    with live_server.app.app_context():
        catalogue = live_server.app.extensions["rapport_catalogue"]
        for quiz_id in QUIZZES:
            quiz = catalogue.quiz(quiz_id)
            for answers in (wrong_answers(quiz), right_answers(quiz)):
                submission = attempts.submit_attempt(user.id, quiz, answers)
                db.session.commit()
                results[quiz_id] = submission.attempt.id
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    log_in(page, user.email)
    state = context.storage_state()
    context.close()
    return {"storage": state, "results": results}


@pytest.mark.parametrize("name", sorted(VISITOR_PAGES))
def test_visitor_pages_are_accessible(page, artifacts, name: str) -> None:
    status = 404 if name.startswith("error") else 200
    check_page(page, VISITOR_PAGES[name], name, artifacts, expect_status=status)


@pytest.mark.parametrize("name", sorted(LEARNER_PAGES))
def test_learner_pages_are_accessible(new_context, learner_state, artifacts, name: str) -> None:
    page = new_context_with_state(new_context, learner_state).new_page()
    path = LEARNER_PAGES[name]
    if path.startswith("result:"):
        path = f"/attempts/{learner_state['results'][path.removeprefix('result:')]}"
    status = 404 if name.startswith("error") else 400 if name.endswith("-error") else 200
    check_page(page, path, name, artifacts, expect_status=status)


def new_context_with_state(new_context, learner_state: dict):
    return new_context(storage_state=learner_state["storage"])


def test_form_errors_are_accessible(new_context, learner_state, artifacts) -> None:
    """A quiz sent with nothing answered comes back with an error summary that passes axe."""
    page = new_context_with_state(new_context, learner_state).new_page()
    page.goto("/quizzes/five-steps-check")
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page, "quiz with errors")
    screenshot(page, artifacts, "quiz-errors")

    visitor = new_context().new_page()
    visitor.goto("/auth/register")
    visitor.get_by_role("button", name="Create account").click()
    visitor.wait_for_load_state()
    assert visitor.locator(".error-summary").is_visible()
    assert_accessible(visitor, "register with errors")
    screenshot(visitor, artifacts, "register-errors")


def tab_until(page, wanted: str, limit: int = 150) -> None:
    """Press Tab until the focused element matches the JS predicate `wanted` (given `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            f"(() => {{ const el = document.activeElement; return !!({wanted}); }})()"
        ):
            assert focus_is_visible(page), f"no visible focus on {describe_focus(page)}"
            return
    raise AssertionError(f"Tab never reached an element where {wanted}")


def describe_focus(page) -> str:
    return page.evaluate(
        "(() => { const el = document.activeElement; return el.outerHTML.slice(0, 160); })()"
    )


FOCUSED = """(() => {
    const el = document.activeElement;
    if (!el || !el.closest('form.quiz-form')) return null;
    return {tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '',
            checked: !!el.checked, label: el.getAttribute('aria-label') || ''};
})()"""


@pytest.mark.parametrize("quiz_id", QUIZZES)
def test_every_quiz_can_be_done_with_the_keyboard_alone(
    new_context,
    learner_state,
    quiz_id: str,
) -> None:
    page = new_context_with_state(new_context, learner_state).new_page()
    page.goto(f"/quizzes/{quiz_id}")
    # The skip link comes first and takes the keyboard past the navigation.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    answered: set[str] = set()
    # A feedback-each quiz asks one question per page: "Check this answer" until the last.
    for _ in range(3000):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        assert focus_is_visible(page), f"no visible focus on {describe_focus(page)}"
        if focused["type"] in ("radio", "checkbox") and focused["name"] not in answered:
            page.keyboard.press("Space")
            assert page.evaluate("document.activeElement.checked")
            answered.add(focused["name"])
        elif focused["tag"] == "select":
            # Ordering: the positions start distinct (1, 2, 3 …); moving through them with the
            # arrow keys and back proves the select works from the keyboard.
            before = page.evaluate("document.activeElement.value")
            page.keyboard.press("ArrowDown" if before == "1" else "ArrowUp")
            assert page.evaluate("document.activeElement.value") != before
            page.keyboard.press("ArrowUp" if before == "1" else "ArrowDown")
            assert page.evaluate("document.activeElement.value") == before
        elif focused["type"] == "submit":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            if re.search(r"/attempts/\d+", page.url):
                break
    page.wait_for_url(re.compile(r".*/attempts/\d+(#.*)?$"))
    assert page.get_by_role("heading", name=re.compile("Your result")).is_visible()
