"""The trust calculator and the lesson figures in a real browser, at 1280 and 390 px."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.services import attempts
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    assert_no_horizontal_scroll,
    catalogue_of,
    log_in,
    screenshot,
)

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

LESSON = "/modules/trust-formula/lessons/the-trust-formula"


def test_the_sliders_move_the_result(page, live_server, artifacts) -> None:
    log_in(page, live_server.user().email)
    page.goto(LESSON)
    result = page.locator("#calculator-result")
    expect(result.locator(".trust-score")).to_contain_text("35 out of 100")  # 5, 5, 5
    # (6 × 4) ^ 0.7 = 9.25 → 100 × log10(9.25) ÷ 2 = 48.3 → 48; accountability is the weakest.
    page.get_by_label("Care slider").fill("6")
    page.get_by_label("Accountability slider").fill("4")
    page.get_by_label("Effective communication slider").fill("7")
    expect(result.locator(".trust-score")).to_contain_text("48 out of 100")
    expect(result).to_contain_text("= (6 × 4)7 ÷ 10 = 240.7 = 9.25")
    expect(result).to_contain_text("Work on this first: accountability")
    expect(page.get_by_label("Care", exact=True)).to_have_value("6")
    # The number box moves the slider and the result too; a bad number gets its message.
    page.get_by_label("Care", exact=True).fill("10")
    expect(page.get_by_label("Care slider")).to_have_value("10")
    expect(result.locator(".trust-score")).to_contain_text("56 out of 100")
    page.get_by_label("Care", exact=True).fill("12")
    expect(result).to_contain_text("Care must be a whole number from 1 to 10")


def test_the_calculator_works_without_javascript(new_context, live_server) -> None:
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, live_server.user().email)
    page.goto(LESSON)
    expect(page.get_by_label("Care slider")).to_be_hidden()
    page.get_by_label("Care", exact=True).fill("3")
    page.get_by_label("Accountability", exact=True).fill("6")
    page.get_by_role("button", name="Calculate").click()
    # (3 × 6) ^ 0.5 = 4.24 → 100 × log10(4.24) ÷ 2 = 31.4 → 31.
    expect(page.locator(".trust-score")).to_contain_text("31 out of 100")
    expect(page.locator("#calculator-result")).to_contain_text("Your weakest factor is care (3/10)")


def _trust_result(live_server, user) -> int:
    with live_server.app.app_context():
        quiz = catalogue_of(live_server).quiz("trust-self-assessment")
        answers = {q.id: [q.options[i % len(q.options)].id] for i, q in enumerate(quiz.questions)}
        attempt = attempts.submit_attempt(user.id, quiz, answers).attempt
        db.session.commit()
        return attempt.id


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_screenshots_of_the_calculator_the_figures_and_the_result(
    new_context, live_server, artifacts, viewport
) -> None:
    user = live_server.user()
    attempt_id = _trust_result(live_server, user)
    page = new_context(viewport=viewport).new_page()
    log_in(page, user.email)
    pages = {
        "trust-lesson-calculator": LESSON,
        "trust-calculator-page": "/trust-calculator?care=6&accountability=4&communication=7",
        "figure-communication-split": "/modules/trust-formula/lessons/effective-communication",
        "figure-five-steps": "/modules/five-steps/lessons/the-five-steps",
        "figure-service-quality": "/modules/five-steps/lessons/image-of-service",
        "trust-self-assessment-result": f"/attempts/{attempt_id}",
    }
    for name, path in pages.items():
        page.goto(path)
        assert_no_horizontal_scroll(page, name)
        for svg in page.locator("svg[role=img] text").all()[:40]:
            size = svg.evaluate("t => t.getBoundingClientRect().height")
            assert size >= 11, f"{name}: SVG text only {size:.1f} px tall"
        screenshot(page, artifacts, name)
