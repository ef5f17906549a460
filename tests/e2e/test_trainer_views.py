"""Trainer views read at a glance: at desktop width and on a phone, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, assert_no_horizontal_scroll, screenshot

pytestmark = pytest.mark.e2e


def _progress_page(new_context, trainer_state: dict, viewport: dict):
    page = new_context(storage_state=trainer_state["storage"], viewport=viewport).new_page()
    page.goto(f"/trainer/cohorts/{trainer_state['cohort']}/progress")
    return page


def test_the_matrix_keeps_names_in_view_and_groups_columns_by_module(
    new_context, trainer_state, artifacts
) -> None:
    page = _progress_page(new_context, trainer_state, DESKTOP)
    table = page.locator("table.matrix")
    heads = [t.strip() for t in table.locator("thead tr").first.locator("th").all_inner_texts()]
    assert heads[0].startswith("Learner")
    assert heads[1:4] == ["Modules completed", "Last active", "Certificate"], "summary first"
    modules = page.evaluate(
        "() => document.querySelectorAll('table.matrix colgroup.module-group').length"
    )
    groups = table.locator("thead th[scope=colgroup]")
    assert groups.count() == modules >= 4, "one column group per module"
    name_cell = table.locator("tbody th.sticky-col").first
    before = name_cell.bounding_box()
    page.locator(".table-scroll").evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    after = name_cell.bounding_box()
    assert page.locator(".table-scroll").evaluate("box => box.scrollLeft") > 0
    assert after is not None
    assert before is not None
    assert abs(after["x"] - before["x"]) < 1, "the learner's name stays put while scrolling"
    screenshot(page, artifacts, "trainer-progress-scrolled")


def test_the_matrix_is_one_card_per_learner_on_a_phone(
    new_context, trainer_state, artifacts
) -> None:
    page = _progress_page(new_context, trainer_state, PHONE)
    assert_no_horizontal_scroll(page, "progress on a phone")
    cards = page.locator("table.matrix tbody tr")
    assert cards.count() == 3
    first = cards.first
    assert first.evaluate("row => getComputedStyle(row).display") == "block"
    label = first.locator("td").first.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"Modules completed"', "each value is labelled by its column"


def _grid_layout(page) -> list[list[str]]:
    """The grid as a person reads it: column headings, then each row's heading and cell titles."""
    table = page.locator("table.grid-table").first
    head = [t.strip() for t in table.locator("thead th").all_inner_texts()]
    rows = [
        [row.locator("th").inner_text().strip()]
        + [t.strip() for t in row.locator(".grid-title").all_inner_texts()]
        for row in table.locator("tbody tr").all()
    ]
    return [head, *rows]


def test_the_cohort_grid_reads_like_the_lesson_grid(new_context, trainer_state, artifacts) -> None:
    page = new_context(storage_state=trainer_state["storage"]).new_page()
    page.goto("/modules/life-positions/lessons/your-position")
    lesson = _grid_layout(page)
    page.goto(f"/trainer/cohorts/{trainer_state['cohort']}/self-assessment")
    cohort = _grid_layout(page)
    assert cohort == lesson, "one orientation: the same rows and columns in the same order"
    assert lesson[1][1] == "Cooperation", "the top-left quadrant is cooperation, as in the lesson"
    corner = page.locator("table.grid-table .grid-axis").first.inner_text()
    assert "↓" in corner, "the rows' axis is named"
    assert "→" in corner, "the columns' axis is named"
    headings = page.locator("main h2").all_inner_texts()
    assert any(h.startswith("Life position across the cohort") for h in headings)
    assert not [h for h in headings if h.startswith("Your")], "cohort wording on cohort pages"
    screenshot(page, artifacts, "trainer-self-assessment-grid")


# Words that a line broke inside: a heading must never read "Ave/rag/e". A hyphen or a dash
# between two words is a fair place to break, so each part counts as a word.
BROKEN_WORDS = """(selector) => {
    const broken = [];
    for (const element of document.querySelectorAll(selector)) {
        const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const match of node.data.matchAll(/[^\\s\\-–]+/g)) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                const lines = new Set([...range.getClientRects()]
                    .filter(r => r.width > 0).map(r => Math.round(r.top)));
                if (lines.size > 1) broken.push(match[0]);
            }
        }
    }
    return broken;
}"""


def _learner_page(new_context, trainer_state: dict, viewport: dict, index: int = 0):
    page = new_context(storage_state=trainer_state["storage"], viewport=viewport).new_page()
    learner = trainer_state["learners"][index]
    page.goto(f"/trainer/cohorts/{trainer_state['cohort']}/learners/{learner}")
    return page


def test_the_drill_down_starts_with_a_summary_and_folds_the_attempts(
    new_context, trainer_state, artifacts
) -> None:
    page = _learner_page(new_context, trainer_state, DESKTOP)
    summary = page.locator(".learner-summary")
    assert summary.is_visible()
    text = summary.inner_text()
    for said in ("lessons read", "modules completed", "graded quizzes passed", "Trust score"):
        assert said in text, said
    assert "Life position" in text, "profile results, in cohort wording"
    assert "Your " not in text
    assert summary.get_by_role("link", name="verify page").is_visible()
    attempts = page.locator("details.attempt")
    assert attempts.count() >= 8
    assert page.locator("details.attempt[open]").count() == 0, "attempts start collapsed"
    assert not page.locator("table.answer-table").first.is_visible()
    heights = page.evaluate("document.documentElement.scrollHeight")
    assert heights < 4000, f"a summary and a list of attempts, not a dump: {heights} px"
    first = attempts.first
    first.locator(":scope > summary").click()
    assert first.locator("table.answer-table").is_visible()
    dates = page.locator("details.attempt summary .attempt-facts").all_inner_texts()
    stamps = [d.split("·")[1].strip() for d in dates]
    assert stamps == sorted(stamps, reverse=True), "newest first"
    screenshot(page, artifacts, "trainer-learner-attempt-open")


def test_previous_and_next_learner_links_walk_the_cohort_by_name(
    new_context, trainer_state
) -> None:
    page = _learner_page(new_context, trainer_state, DESKTOP)
    pager = page.get_by_role("navigation", name="Other learners of the cohort")
    assert pager.locator("a[rel=prev]").count() == 0, "the first learner has no previous one"
    pager.locator("a[rel=next]").click()
    page.wait_for_url(f"**/learners/{trainer_state['learners'][1]}")
    assert page.locator("main h2").first.inner_text() == "Cohort Learner 1"
    page.get_by_role("navigation", name="Other learners of the cohort").locator(
        "a[rel=next]"
    ).click()
    page.wait_for_url(f"**/learners/{trainer_state['learners'][2]}")
    pager = page.get_by_role("navigation", name="Other learners of the cohort")
    assert pager.locator("a[rel=next]").count() == 0, "the last learner has no next one"
    pager.locator("a[rel=prev]").click()
    page.wait_for_url(f"**/learners/{trainer_state['learners'][1]}")


def test_the_drill_down_fits_a_phone(new_context, trainer_state, artifacts) -> None:
    page = _learner_page(new_context, trainer_state, PHONE)
    assert_no_horizontal_scroll(page, "the drill-down on a phone")
    for details in page.locator("details.attempt").all()[:3]:
        details.locator(":scope > summary").click()
    assert_no_horizontal_scroll(page, "the drill-down with attempts open on a phone")
    rows = page.locator("details.attempt[open] table.answer-table tbody tr")
    assert rows.first.evaluate("row => getComputedStyle(row).display") == "block", "cards"
    assert page.evaluate(BROKEN_WORDS, "main th, main h2, main h3, main dt") == []
    screenshot(page, artifacts, "trainer-learner-attempts-open")


def test_the_self_assessment_page_fits_a_phone_without_breaking_words(
    new_context, trainer_state, artifacts
) -> None:
    page = new_context(storage_state=trainer_state["storage"], viewport=PHONE).new_page()
    page.goto(f"/trainer/cohorts/{trainer_state['cohort']}/self-assessment")
    assert_no_horizontal_scroll(page, "self-assessment on a phone")
    headings = "main th, main caption, main h2, .grid-title, .grid-axis"
    assert page.evaluate(BROKEN_WORDS, headings) == [], "no word broken in the middle"
    tables = page.locator("main table")
    for index in range(tables.count()):
        box = tables.nth(index).bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= PHONE["width"], "no table wider than the screen"
    screenshot(page, artifacts, "trainer-self-assessment-phone")


def test_the_trainer_withdraws_an_invitation_in_the_browser(
    new_context, trainer_state, artifacts
) -> None:
    page = new_context(storage_state=trainer_state["storage"], viewport=PHONE).new_page()
    page.goto(f"/trainer/cohorts/{trainer_state['cohort']}/members")
    page.get_by_label("Email addresses").fill("Wendy Withdrawn <wendy@example.com>")
    page.get_by_role("button", name="Add learners").click()
    invited = page.locator("section.panel", has_text="Invited, not members")
    expect(invited).to_contain_text("wendy@example.com")
    assert_no_horizontal_scroll(page, "members with an invitation on a phone")
    screenshot(page, artifacts, "trainer-members-invited")
    invited.get_by_role("button", name="Withdraw the invitation of wendy@example.com").click()
    expect(page.locator(".flash")).to_contain_text("Invitation withdrawn")
    expect(page.get_by_text("wendy@example.com")).to_have_count(0)


def test_the_drill_down_works_without_javascript(new_context, trainer_state) -> None:
    context = new_context(storage_state=trainer_state["storage"], java_script_enabled=False)
    page = context.new_page()
    page.goto(f"/trainer/cohorts/{trainer_state['cohort']}/learners/{trainer_state['learner']}")
    attempt = page.locator("details.attempt").first
    assert not attempt.locator("table.answer-table").is_visible()
    attempt.locator(":scope > summary").click()
    assert attempt.locator("table.answer-table").is_visible(), "<details> opens by itself"
    page.get_by_role("navigation", name="Other learners of the cohort").locator(
        "a[rel=next]"
    ).click()
    page.wait_for_url(f"**/learners/{trainer_state['learners'][1]}")
