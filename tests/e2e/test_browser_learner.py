"""A learner in a real browser: register, read, answer every kind of question, see results and
progress, log out and back in. (Named apart from tests/web/test_learner_journey.py, which drives
the same journey through the test client: pytest needs unique basenames in this layout.)"""

from __future__ import annotations

import re
import secrets

import pytest

from tests.conftest import right_answers, wrong_answers
from tests.e2e.conftest import (
    catalogue_of,
    choose,
    focus_is_visible,
    log_in,
    log_out,
    screenshot,
    submit,
)

PASSWORD = "a quiet river at dawn 42"

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect


def item_order(page, question) -> list[str]:
    return page.eval_on_selector_all(
        f"#question-{question.id} .ordering-item label",
        "els => els.map(e => e.textContent.replace('Position of:', '').trim())",
    )


def tab_to(page, accessible_name: str, limit: int = 200) -> None:
    """Press Tab (and only Tab) until the control with this aria-label has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-label')") == accessible_name:
            assert focus_is_visible(page), f"{accessible_name!r} has focus but shows no focus ring"
            return
    raise AssertionError(f"Tab never reached {accessible_name!r}")


def order_with_keyboard(page, question) -> None:
    """Put the steps in the right order with Tab and Enter on the "Move up" buttons alone."""
    wanted = [question.option(option_id).text for option_id in question.correct_order]
    page.locator("body").focus()
    for target, text in enumerate(wanted):
        current = item_order(page, question).index(text)
        if current == target:
            continue
        tab_to(page, f"Move up: {text}")
        for _ in range(current - target):
            page.keyboard.press("Enter")
        # The live region tells screen-reader users where the step went.
        expect(page.locator(f"#question-{question.id} [data-ordering-status]")).to_have_text(
            f"{text}: now position {target + 1} of {len(wanted)}"
        )
    assert item_order(page, question) == wanted
    positions = page.eval_on_selector_all(
        f"#question-{question.id} .ordering-item select", "els => els.map(e => e.value)"
    )
    assert positions == [str(n) for n in range(1, len(wanted) + 1)]


def test_a_learner_goes_through_the_course_in_a_browser(page, live_server, artifacts) -> None:
    catalogue = catalogue_of(live_server)
    email = f"lena-{secrets.token_hex(4)}@example.com"

    # Register.
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Register").click()
    page.get_by_label("Your name").fill("Lena Browser")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    # The same answer whether or not the address had an account (issue 12): then log in.
    expect(page.get_by_role("status")).to_contain_text("your account is ready: log in")
    log_in(page, email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Lena Browser")

    # Read the first module's lessons with Next, stepping back once with Previous.
    module = catalogue.module("trust-formula")
    page.get_by_role("link", name=module.title, exact=True).first.click()
    page.get_by_role("link", name="Start the module").click()
    for index, lesson in enumerate(module.lessons):
        expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title)
        if index == 1:
            page.get_by_role("link", name=f"← Previous: {module.lessons[0].title}").click()
            expect(page.get_by_role("heading", level=1)).to_have_text(module.lessons[0].title)
            page.get_by_role("link", name=f"Next: {lesson.title} →").click()
            expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title)
        if index + 1 < len(module.lessons):
            page.get_by_role("link", name=f"Next: {module.lessons[index + 1].title} →").click()
    expect(page.get_by_role("navigation", name=f"{module.title}: contents")).to_contain_text("✓")
    page.get_by_role("link", name="Next: the quiz →").click()

    # Single and multiple choice, all right.
    quiz = catalogue.quiz("trust-formula-check")
    expect(page.get_by_role("heading", level=1)).to_have_text(quiz.title)
    choose(page, quiz, right_answers(quiz))
    submit(page)
    expect(page.locator(".verdict")).to_have_text("✓ Passed")
    expect(page.get_by_text("✓ Right", exact=True)).to_have_count(len(quiz.questions))
    explanations = page.locator(".explanation")
    expect(explanations).to_have_count(len(quiz.questions))
    assert all(text.strip() != "Explanation" for text in explanations.all_inner_texts())

    # Ordering with the keyboard alone, the rest with the mouse.
    quiz = catalogue.quiz("five-steps-check")
    page.goto(f"/quizzes/{quiz.id}")
    ordering = next(q for q in quiz.questions if q.kind == "ordering")
    order_with_keyboard(page, ordering)
    choose(page, quiz, right_answers(quiz))
    screenshot(page, artifacts, "journey-ordering-done")
    submit(page)
    expect(page.locator(".verdict")).to_have_text("✓ Passed")
    review = page.locator(".answer-review").first
    expect(review).to_contain_text("✓ Right")
    right_order = [ordering.option(o).text for o in ordering.correct_order]
    assert (
        review.locator(".order-compare > div").nth(0).locator("li").all_inner_texts() == right_order
    )
    # A right order is not printed a second time as "the right order".
    expect(review.locator(".order-compare > div")).to_have_count(1)

    # Retake it, wrongly this time: the result says so in words, not colour alone.
    page.get_by_role("link", name="Take it again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(quiz.title)
    choose(page, quiz, wrong_answers(quiz))
    submit(page)
    expect(page.locator(".verdict")).to_contain_text("✗ Not passed yet")
    shown_order = [o.id for o in ordering.display_options]  # left as the form first shows it
    wrong = len(quiz.questions) - (shown_order == ordering.correct_order)
    expect(page.get_by_text("✗ Not right", exact=True)).to_have_count(wrong)

    # A graded quiz with profile questions.
    quiz = catalogue.quiz("close-connection-check")
    page.goto(f"/quizzes/{quiz.id}")
    choose(page, quiz, right_answers(quiz))
    submit(page)
    expect(page.locator(".verdict")).to_have_text("✓ Passed")
    for profile in quiz.profiles:
        expect(page.get_by_role("heading", name=profile.title, exact=True)).to_be_visible()
    expect(page.get_by_text("About you: not marked", exact=True)).to_have_count(
        sum(q.kind == "profile" for q in quiz.questions)
    )

    # The trust self-assessment: the formula's result, with a table beside the chart.
    quiz = catalogue.quiz("trust-self-assessment")
    page.goto(f"/quizzes/{quiz.id}")
    choose(page, quiz, right_answers(quiz))
    submit(page)
    expect(page.locator(".trust-equation").first).to_contain_text("Trust = (Care × Accountability)")
    expect(page.locator(".trust-score")).to_contain_text(re.compile(r"→ \d+ out of 100"))
    chart = page.locator("figure.chart")
    expect(chart.locator("svg[role=img]")).to_have_count(1)
    expect(chart.locator("table tbody tr")).to_have_count(3)
    screenshot(page, artifacts, "journey-trust-result")

    # The life-positions situations: a grid with "You are here" in one cell.
    quiz = catalogue.quiz("life-positions-situations")
    page.goto(f"/quizzes/{quiz.id}")
    choose(page, quiz, right_answers(quiz))
    submit(page)
    grid = page.locator(".grid-figure table")
    expect(grid.locator("caption")).to_be_visible()
    expect(grid.get_by_text("You are here", exact=True)).to_have_count(1)
    expect(grid.locator("td.is-you")).to_have_count(1)
    screenshot(page, artifacts, "journey-grid-result")

    # Progress: the best score counts, both attempts are listed, the profiles are summed up.
    page.get_by_role("link", name="My progress").click()
    five_steps = catalogue.quiz("five-steps-check")
    expect(page.get_by_role("table", name=f"Attempts at {five_steps.title}")).to_be_visible()
    expect(
        page.get_by_role("table", name=f"Attempts at {five_steps.title}").locator("tbody tr")
    ).to_have_count(2)
    expect(page.locator("main")).to_contain_text(
        f"Best score: {five_steps.max_score} / {five_steps.max_score}"
    )
    expect(page.locator("main")).to_contain_text(re.compile(r"trust \d+(\.\d+)? / 100"))
    before = " ".join(page.locator("main").inner_text().split())
    screenshot(page, artifacts, "journey-progress")

    # Log out and back in: everything is still there.
    log_out(page)
    expect(page.get_by_role("link", name="My progress")).to_have_count(0)
    log_in(page, email, PASSWORD)
    page.get_by_role("link", name="My progress").click()
    assert " ".join(page.locator("main").inner_text().split()) == before
