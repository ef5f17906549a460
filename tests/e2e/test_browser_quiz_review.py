"""Issue 11 in a browser: right answers held back after a failed attempt, options in the
learner's own order, checking each answer as you go, partial credit, retaking only the missed
questions, and the new learner's welcome. Screenshots at 1280 and 390 px of a failed and a
passed result page and of the feedback-each flow."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Attempt
from tests.conftest import right_answers, wrong_answers
from tests.e2e.conftest import (
    DESKTOP,
    catalogue_of,
    choose,
    log_in,
    screenshot,
    submit,
)

PHONE = {"width": 390, "height": 844}


def order_by_selects(page, question, order: list[str]) -> None:
    for position, option_id in enumerate(order, 1):
        page.locator(f"select[name='q__{question.id}__{option_id}']").select_option(str(position))


def shown_ids(page, question) -> list[str]:
    return page.locator(f"#question-{question.id} input").evaluate_all(
        "els => els.map(e => e.value)"
    )


def both_widths(new_context, state, url: str, artifacts, name: str) -> None:
    """The page at `url` screenshotted at 1280 px and 390 px, for the same learner."""
    for viewport in (DESKTOP, PHONE):
        other = new_context(viewport=viewport, storage_state=state).new_page()
        other.goto(url)
        screenshot(other, artifacts, name)


def test_failed_then_retake_the_missed_questions(new_context, live_server, artifacts) -> None:
    catalogue = catalogue_of(live_server)
    quiz = catalogue.quiz("five-steps-check")
    learner = live_server.user(name="Rita Retake")
    context = new_context()
    page = context.new_page()
    log_in(page, learner.email)

    # A brand-new learner is asked to start, not to continue.
    page.goto("/")
    expect(page.get_by_role("link", name=re.compile("^Start “"))).to_be_visible()
    expect(page.get_by_text("Pick up where you left off")).to_have_count(0)

    page.goto(f"/quizzes/{quiz.id}")
    choice = [q for q in quiz.questions if q.kind in ("single", "multiple")]
    first_order = [shown_ids(page, q) for q in choice]
    page.reload()
    assert [shown_ids(page, q) for q in choice] == first_order  # a reload shows the same order
    assert first_order != [q.option_ids for q in choice]  # shuffled

    answers = right_answers(quiz)
    missed = [q.id for q in quiz.graded_questions[1:5]]
    for question_id in missed:
        answers[question_id] = wrong_answers(quiz)[question_id]
    choose(page, quiz, answers)
    ordering = next(q for q in quiz.questions if q.kind == "ordering")
    order_by_selects(page, ordering, ordering.correct_order)
    submit(page)
    expect(page.locator(".verdict")).to_contain_text("✗ Not passed yet")
    wrong = page.locator(".answer-review.is-wrong")
    expect(wrong).to_have_count(4)
    expect(wrong.locator(".tag-right")).to_have_count(0)  # the right options are held back
    expect(wrong.locator(".review-later")).to_have_count(4)
    expect(page.locator(".answer-review.is-right .tag-right")).not_to_have_count(0)
    # The options are listed as the learner saw them.
    question = next(q for q in choice if q.id in missed)
    texts = page.locator(".answer-review").filter(has_text=question.prompt).locator(
        ".review-options li"
    ).all_inner_texts()  # fmt: skip
    shown = first_order[choice.index(question)]
    assert len(texts) == len(shown)
    assert all(t.startswith(question.option(i).text) for t, i in zip(texts, shown, strict=True))
    with live_server.app.app_context():
        stored = db.session.scalar(select(Attempt).where(Attempt.user_id == learner.id))
        assert stored.option_order[question.id] == shown
    state = context.storage_state()
    both_widths(new_context, state, page.url, artifacts, "quiz-result-failed")

    page.get_by_role("link", name="Retry the 4 questions you missed").click()
    expect(page.locator("fieldset.question")).to_have_count(4)
    expect(page.locator(".retake-notice")).to_contain_text("Your 10 right answers")
    retaken = quiz.model_copy(update={"questions": [quiz.question(i) for i in missed]})
    choose(page, retaken, right_answers(quiz))
    submit(page)
    expect(page.locator(".verdict")).to_contain_text("✓ Passed")
    expect(page.get_by_text("a retake of the questions you missed")).to_be_visible()
    expect(page.locator(".score")).to_contain_text(f"{quiz.max_score} / {quiz.max_score}")
    expect(page.locator(".review-later")).to_have_count(0)
    both_widths(new_context, state, page.url, artifacts, "quiz-result-passed")

    page.goto("/progress")
    expect(page.get_by_text("(retake of missed questions)")).to_be_visible()
    # The learner's account keeps API tokens folded away.
    page.goto("/auth/account")
    expect(page.get_by_role("button", name="Create token")).to_be_hidden()
    page.locator(".api-tokens > summary").click()
    expect(page.get_by_role("button", name="Create token")).to_be_visible()


def test_feedback_each_question_by_question(new_context, live_server, artifacts) -> None:
    catalogue = catalogue_of(live_server)
    quiz = catalogue.quiz("trust-formula-check")
    learner = live_server.user(name="Eve Each")
    context = new_context()
    page = context.new_page()
    log_in(page, learner.email)
    page.goto(f"/quizzes/{quiz.id}")
    expect(page.locator("fieldset.question")).to_have_count(1)
    expect(page.get_by_role("button", name="Submit answers")).to_have_count(0)

    answers = right_answers(quiz)
    first, second = quiz.questions[0], quiz.questions[1]
    answers[first.id] = wrong_answers(quiz)[first.id]
    choose(page, quiz, answers, [first])
    checked = page.locator(f"#checked-{first.id}")
    expect(checked).to_contain_text("✗ Not right")
    expect(checked).to_contain_text(first.option(answers[first.id][0]).feedback)
    expect(checked.get_by_text("✓ Right answer")).to_have_count(0)
    expect(page.locator(f"#question-{second.id}")).to_be_visible()
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        screenshot(page, artifacts, "quiz-feedback-each")
    page.set_viewport_size(DESKTOP)

    choose(page, quiz, answers, quiz.questions[1:])
    expect(page.get_by_text("You have checked every answer.")).to_be_visible()
    with live_server.app.app_context():
        assert db.session.scalar(select(Attempt).where(Attempt.user_id == learner.id)) is None
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        screenshot(page, artifacts, "quiz-feedback-each-done")
    submit(page)
    expect(page.locator(".verdict")).to_contain_text("✓ Passed")
    with live_server.app.app_context():
        stored = db.session.scalars(select(Attempt).where(Attempt.user_id == learner.id)).all()
        assert len(stored) == 1
        assert {a.question_id: a.selected for a in stored[0].answers} == answers


def test_partial_credit_in_the_browser(new_context, live_server, artifacts) -> None:
    catalogue = catalogue_of(live_server)
    quiz = catalogue.quiz("close-connection-check")
    question = quiz.question("five-areas")
    learner = live_server.user(name="Pat Partial")
    page = new_context().new_page()
    log_in(page, learner.email)
    page.goto(f"/quizzes/{quiz.id}")
    answers = right_answers(quiz)
    answers[question.id] = question.correct_option_ids[:4]
    choose(page, quiz, answers)
    submit(page)
    review = page.locator(".answer-review.is-partly")
    expect(review).to_contain_text("Partly right: 0.8 of 1 point")
    expect(page.locator(".score")).to_contain_text(f"{quiz.max_score - 1}.8 / {quiz.max_score}")
    screenshot(page, artifacts, "quiz-result-partial")
