"""The item analysis in a real browser: a table at desktop width, one card per question with its
option chart on a phone, with partial credit shown as an average credit."""

from __future__ import annotations

import secrets

import pytest

from app.extensions import db
from app.models import Cohort, CohortMember
from app.services import attempts
from tests.conftest import right_answers, wrong_answers
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_horizontal_scroll,
    catalogue_of,
    log_in,
    screenshot,
)

pytestmark = pytest.mark.e2e


def _some_ticks(quiz) -> dict[str, list[str]]:
    """Right answers, except that each partial-credit question gets one right tick of its k."""
    answers = right_answers(quiz)
    for question in quiz.questions:
        if question.scoring == "partial":
            answers[question.id] = question.correct_option_ids[:1]
    return answers


@pytest.fixture(scope="module")
def items_state(live_server, browser) -> dict:
    """A cohort of three learners, each with one attempt at every graded quiz: all right, all
    wrong, and right but for the partial-credit questions, where one right option is ticked."""
    trainer = live_server.user(role="trainer", name="Ivy Items")
    learners = [live_server.user(name=f"Items Learner {n}") for n in range(3)]
    catalogue = catalogue_of(live_server)
    graded = [quiz for quiz in catalogue.quizzes.values() if quiz.is_graded]
    with live_server.app.app_context():
        cohort = Cohort(name="Item analysis cohort", join_code=secrets.token_hex(4).upper())
        db.session.add(cohort)
        db.session.flush()
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=trainer.id, role="trainer"))
        for learner in learners:
            db.session.add(CohortMember(cohort_id=cohort.id, user_id=learner.id, role="learner"))
        for quiz in graded:
            for learner, answers in zip(
                learners, (right_answers, wrong_answers, _some_ticks), strict=True
            ):
                attempts.submit_attempt(learner.id, quiz, answers(quiz))
        db.session.commit()
        cohort_id = cohort.id
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    log_in(page, trainer.email)
    state = context.storage_state()
    context.close()
    partial = [(quiz, q) for quiz in graded for q in quiz.questions if q.scoring == "partial"]
    return {"storage": state, "cohort": cohort_id, "partial": partial, "graded": graded}


def _items_page(new_context, items_state: dict, viewport: dict):
    page = new_context(storage_state=items_state["storage"], viewport=viewport).new_page()
    response = page.goto(f"/trainer/cohorts/{items_state['cohort']}/items")
    assert response is not None
    assert response.status == 200
    return page


def _card_of(page, prompt: str):
    return page.locator("table.items tbody tr").filter(
        has=page.get_by_role("rowheader", name=prompt[:60])
    )


def test_the_item_analysis_is_a_table_at_desktop_width(new_context, items_state, artifacts):
    page = _items_page(new_context, items_state, DESKTOP)
    assert_no_horizontal_scroll(page, "item analysis at 1280 px")
    assert_accessible(page, "item analysis at 1280 px")
    table = page.locator("table.items").first
    heads = [t.strip() for t in table.locator("thead th").all_inner_texts()]
    assert heads == [
        "Question",
        "Answered",
        "Facility*",
        "Fully right",
        "Discrimination†",
        "Answers per option",
        "Flags",
    ]
    assert table.evaluate("t => getComputedStyle(t).display") == "table"
    quiz, question = items_state["partial"][0]
    row = _card_of(page, question.prompt)
    # Three learners: one all right (1), one a wrong option (0), one right tick of k (1/k).
    k = len(question.correct_option_ids)
    credit = (1 + 1 / k) / 3
    facility = row.locator("td[data-label=Facility]").inner_text()
    assert facility.startswith(f"{int(credit * 100 + 0.5)}%")
    assert f"average credit {credit:.2f} of the point" in facility
    assert row.locator("td[data-label='Fully right']").inner_text() == "1 of 3"
    assert row.locator("svg.option-bar").count() == len(question.options)
    screenshot(page, artifacts, "trainer-items-partial-credit")
    row.screenshot(path=str(artifacts / "trainer-items-partial-card-1280px.png"))


def test_the_item_analysis_is_one_card_per_question_on_a_phone(new_context, items_state, artifacts):
    page = _items_page(new_context, items_state, PHONE)
    assert_no_horizontal_scroll(page, "item analysis at 390 px")
    assert_accessible(page, "item analysis at 390 px")
    quiz, question = items_state["partial"][0]
    cards = page.get_by_role("table", name=f"Questions of {quiz.title} (current version)")
    graded = [q for q in quiz.questions if q.graded]
    assert cards.locator("tbody tr").count() == len(graded), "one card per graded question"
    card = _card_of(page, question.prompt)
    assert card.evaluate("row => getComputedStyle(row).display") == "block"
    box = card.bounding_box()
    assert box is not None
    assert box["width"] <= PHONE["width"]
    # Each figure is labelled in words by its column; no header is squeezed letter by letter.
    labels = card.locator("td").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert labels == [
        '"Answered"',
        '"Facility"',
        '"Fully right"',
        '"Discrimination"',
        '"Answers per option"',
        '"Flags"',
    ]
    assert "average credit" in card.locator("td[data-label=Facility]").inner_text()
    assert "partial credit" in card.locator("th").inner_text()
    chart = card.locator(".option-chart li")
    assert chart.count() == len(question.options)
    bar = card.locator("svg.option-bar").first.bounding_box()
    assert bar is not None
    assert bar["width"] >= 60, "the option chart has room on a phone"
    screenshot(page, artifacts, "trainer-items-partial-credit")
    card.screenshot(path=str(artifacts / "trainer-items-partial-card-390px.png"))
