"""In the browser: the pre-test offered on the module page, the learner's result per concept
after a check, and the admin's page on a question changed after learners answered it
(issue 14). Screenshots at 1280 and 390 px."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import Answer, Attempt
from app.services import attempts
from tests.conftest import right_answers, wrong_answers
from tests.e2e.conftest import (
    LiveServer,
    assert_accessible,
    assert_no_horizontal_scroll,
    catalogue_of,
    choose,
    log_in,
    screenshot,
    submit,
)

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

WIDTHS = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})
MODULE, PRE = "trust-formula", "trust-formula-pre-test"


def test_the_pre_test_offer_and_the_result_per_concept(
    new_context, live_server: LiveServer, artifacts: Path
) -> None:
    catalogue = catalogue_of(live_server)
    pre = catalogue.quiz(PRE)
    learner = live_server.user(name="Pia Pretest")
    pages = {}
    for viewport in reversed(WIDTHS):  # both widths of the offer before the check is taken
        page = pages[viewport["width"]] = new_context(viewport).new_page()
        log_in(page, learner.email)
        page.goto(f"/modules/{MODULE}")
        offer = page.get_by_role("region", name="Before you start: a short check")
        expect(offer).to_be_visible()
        expect(offer.get_by_role("link", name="Skip it and start the lessons")).to_have_attribute(
            "href", f"/modules/{MODULE}/lessons/anna-and-jack"
        )
        screenshot(page, artifacts, "module-pre-test-offer")
        assert_no_horizontal_scroll(page, "the module page")
    page = pages[1280]
    assert_accessible(page, "the module page with a pre-test offer")
    page.get_by_role("region", name="Before you start: a short check").get_by_role(
        "link", name="Take the check"
    ).click()
    expect(page.get_by_text("4 questions before the lessons")).to_be_visible()
    answers = right_answers(pre)
    answers["pre-accountability"] = wrong_answers(pre)["pre-accountability"]
    choose(page, pre, answers)
    submit(page)
    result_url = page.url
    for width, page in pages.items():
        page.goto(result_url)
        concepts = page.get_by_role("region", name="What this shows about each idea")
        expect(concepts).to_contain_text("revisit Accountability")
        expect(concepts.get_by_role("link", name="Read “Accountability” again")).to_have_attribute(
            "href", f"/modules/{MODULE}/lessons/accountability"
        )
        screenshot(page, artifacts, "result-per-concept")
        assert_no_horizontal_scroll(page, "the result page")
        if width == 1280:
            assert_accessible(page, "the result page with concepts")
    page.goto(f"/modules/{MODULE}")
    expect(page.get_by_text("Before you start: a short check")).to_have_count(0)


def _an_older_version_answered(live_server: LiveServer, user_id: int) -> str:
    """The learner answered trust-formula-check; then its `words-share` key was corrected (as if
    the stored answers were to a version where another option was right)."""
    catalogue = catalogue_of(live_server)
    quiz = catalogue.quiz("trust-formula-check")
    with live_server.app.app_context():
        attempt = attempts.submit_attempt(user_id, quiz, right_answers(quiz)).attempt
        db.session.execute(
            update(Answer)
            .where(Answer.attempt_id == attempt.id, Answer.question_id == "words-share")
            .values(question_version="0ld0ld0ld0ld0ld0", correct=False)
        )
        db.session.execute(
            update(Attempt).where(Attempt.id == attempt.id).values(score=attempt.score - 1)
        )
        db.session.commit()
        return str(attempt.id)


def test_the_admin_previews_and_decides_on_a_changed_question(
    new_context, live_server: LiveServer, artifacts: Path
) -> None:
    learner = live_server.user(name="Otto Older")
    attempt_id = _an_older_version_answered(live_server, learner.id)
    admin = live_server.user("admin", name="Ada Admin")
    key = "trust-formula-check/words-share"
    for viewport in reversed(WIDTHS):  # the narrow page first, before the decision
        page = new_context(viewport).new_page()
        log_in(page, admin.email)
        page.goto("/admin/content")
        item = page.locator("#impact-trust-formula-check-words-share")
        expect(item).to_contain_text(f"{key}: 1 answers by 1 learners to an older version")
        expect(item).to_contain_text("1 would now score differently")
        screenshot(page, artifacts, "admin-content-impact")
        assert_no_horizontal_scroll(page, "the content changes page")
        if viewport["width"] == 1280:
            assert_accessible(page, "the content changes page")
            item.get_by_label("Rescore: re-grade the older answers with today's key").check()
            item.get_by_role("button", name=re.compile("Record the decision")).click()
            expect(page.get_by_role("status")).to_contain_text(f"{key}: rescore recorded")
            expect(item).to_contain_text("Decided: rescore")
            expect(item).to_contain_text("0 would now score differently")
            screenshot(page, artifacts, "admin-content-decided")
    with live_server.app.app_context():
        score = db.session.scalar(select(Attempt.score).where(Attempt.id == int(attempt_id)))
        assert score == 14  # every answer right again, by today's key
    page.goto("/admin/content")
    item = page.locator("#impact-trust-formula-check-words-share")
    item.get_by_role("button", name=re.compile("Revert")).click()
    expect(page.get_by_role("status")).to_contain_text("the rescore decision is reverted")
    with live_server.app.app_context():
        assert db.session.scalar(select(Attempt.score).where(Attempt.id == int(attempt_id))) == 13


def test_the_admin_sees_the_older_wording_on_record(
    new_context, live_server: LiveServer, artifacts: Path, tmp_path: Path
) -> None:
    """Version A of `doctor-trust` (another prompt, option a worded otherwise) was served and
    answered, and its text recorded; the live server now serves the course as shipped (B)."""
    from app.content import load_catalogue
    from app.services.question_versions import record_versions
    from tests.conftest import PROJECT_ROOT

    folder = tmp_path / "version-a"
    for part in ("course.yaml", "modules", "quizzes"):
        source = PROJECT_ROOT / part
        if source.is_dir():
            shutil.copytree(source, folder / part)
        else:
            folder.mkdir(exist_ok=True)
            shutil.copy(source, folder / part)
    path = folder / "quizzes" / "trust-formula-check.yaml"
    text = path.read_text()
    for old, new in (
        ("Why does a patient not discuss", "Why does a patient never argue"),
        ("surgeon explains every step", "surgeon describes each step"),
    ):
        assert old in text
        text = text.replace(old, new)
    path.write_text(text)
    version_a = load_catalogue(folder)
    learner = live_server.user(name="Vera Versioned")
    quiz = version_a.quiz("trust-formula-check")
    with live_server.app.app_context():
        record_versions(db.session.connection(), version_a)
        attempts.submit_attempt(learner.id, quiz, right_answers(quiz))
        db.session.commit()
    admin = live_server.user("admin", name="Ada Admin")
    for viewport in WIDTHS:
        page = new_context(viewport).new_page()
        log_in(page, admin.email)
        page.goto("/admin/content")
        item = page.locator("#impact-trust-formula-check-doctor-trust")
        expect(item).to_contain_text(
            "trust-formula-check/doctor-trust: 1 answers by 1 learners to an older version; "
            "0 would now score differently"
        )
        expect(item).to_contain_text("What changed: prompt reworded; option(s) reworded: a")
        item.get_by_text("The older version on record").click()
        expect(item).to_contain_text("Why does a patient never argue")
        expect(item).to_contain_text("surgeon describes each step")
        item.scroll_into_view_if_needed()
        screenshot(page, artifacts, "admin-content-older-wording")
        assert_no_horizontal_scroll(page, "the content changes page with an older wording")
        if viewport["width"] == 1280:
            assert_accessible(page, "the content changes page with an older wording")
