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
