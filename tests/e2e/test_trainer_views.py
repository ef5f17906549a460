"""Trainer views read at a glance: at desktop width and on a phone, in a real browser."""

from __future__ import annotations

import pytest

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
