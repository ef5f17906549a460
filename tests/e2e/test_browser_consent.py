"""Issue 12 in the browser: a trainer invites an existing learner, who accepts one invitation and
declines another; a trainer hands a learner a password-reset link, which the learner uses once.
Screenshots of the new pages at 1280 px and 390 px; axe finds nothing at either width."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.extensions import db
from app.models import User
from app.services import cohorts
from tests.e2e.conftest import (
    DESKTOP,
    LiveServer,
    assert_accessible,
    assert_no_horizontal_scroll,
    log_in,
    screenshot,
)

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect
PHONE = {"width": 390, "height": 844}


def _cohort(live_server: LiveServer, trainer: User, name: str) -> int:
    with live_server.app.app_context():
        cohort = cohorts.create_cohort(db.session.get(User, trainer.id), name, "Tuesday mornings")
        db.session.commit()
        return cohort.id


def _look(page, artifacts: Path, name: str) -> None:
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        assert_accessible(page, f"{name} at {viewport['width']} px")
        assert_no_horizontal_scroll(page, name)
        screenshot(page, artifacts, name)
    page.set_viewport_size(DESKTOP)


def test_a_learner_accepts_one_invitation_and_declines_another(
    new_context, live_server: LiveServer, artifacts: Path
) -> None:
    trainer = live_server.user("trainer", name="Tomas Trainer")
    learner = live_server.user(name="Ines Invited")
    first = _cohort(live_server, trainer, "Spring leaders")
    second = _cohort(live_server, trainer, "Autumn refresher")

    coach = new_context().new_page()
    log_in(coach, trainer.email)
    for cohort_id in (first, second):
        coach.goto(f"/trainer/cohorts/{cohort_id}/members")
        coach.get_by_label("Email addresses").fill(learner.email)
        coach.get_by_role("button", name="Add learners").click()
        expect(coach.get_by_role("heading", name="Invitations recorded")).to_be_visible()
    expect(coach.get_by_text("Invited, not members (1)")).to_be_visible()
    _look(coach, artifacts, "trainer-members-invited")

    page = new_context().new_page()
    log_in(page, learner.email)
    page.goto("/")
    page.get_by_role("link", name="see them").click()
    expect(page.get_by_role("heading", name="Invitations", exact=True)).to_be_visible()
    expect(page.get_by_text("If you accept:")).to_be_visible()
    _look(page, artifacts, "learner-invitations")

    page.get_by_role("button", name="Accept the invitation to Spring leaders").click()
    expect(page.get_by_text("You joined the cohort “Spring leaders”.")).to_be_visible()
    page.get_by_role("button", name="Decline the invitation to Autumn refresher").click()
    expect(page.get_by_text("You declined the invitation to “Autumn refresher”.")).to_be_visible()
    expect(page.get_by_text("No invitations are waiting for you.")).to_be_visible()

    # The trainer now sees the learner in the first cohort only.
    coach.goto(f"/trainer/cohorts/{first}/members")
    expect(coach.get_by_role("link", name="Ines Invited")).to_be_visible()
    coach.goto(f"/trainer/cohorts/{second}/members")
    expect(coach.get_by_text("declined", exact=True)).to_be_visible()
    assert coach.goto(f"/trainer/cohorts/{second}/learners/{learner.id}").status == 404


def test_a_trainer_hands_over_a_reset_link_that_works_once(
    new_context, live_server: LiveServer, artifacts: Path
) -> None:
    trainer = live_server.user("trainer", name="Rosa Resetter")
    learner = live_server.user(name="Finn Forgetful")
    cohort_id = _cohort(live_server, trainer, "Reset group")
    with live_server.app.app_context():
        cohorts.add_member(db.session.get(cohorts.Cohort, cohort_id), learner.id, "learner")
        db.session.commit()

    visitor = new_context().new_page()
    visitor.goto("/auth/login")
    expect(visitor.get_by_text("ask your trainer or an administrator")).to_be_visible()

    coach = new_context().new_page()
    log_in(coach, trainer.email)
    coach.goto(f"/trainer/cohorts/{cohort_id}/members")
    coach.get_by_role("button", name="Password-reset link for Finn Forgetful").click()
    link = coach.locator("code.reset-link").inner_text()
    assert re.fullmatch(r"http://\S+/auth/reset/[A-Za-z0-9_-]+", link)
    _look(coach, artifacts, "trainer-reset-link-issued")

    page = new_context().new_page()
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    _look(page, artifacts, "reset-password")
    page.get_by_label("New password", exact=True).fill("finn remembers now")
    page.get_by_label("Repeat the new password").fill("finn remembers now")
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_text("Your new password is set")).to_be_visible()

    again = new_context().new_page()
    assert again.goto(link).status == 404  # used
    log_in(again, learner.email, "finn remembers now")
