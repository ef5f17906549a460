"""A learner finishes the course in the browser, downloads their certificate, and someone who is
not logged in opens the verify link printed in it (issue 13)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import right_answers
from tests.e2e.conftest import LiveServer, catalogue_of, choose, log_in, screenshot, submit

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect


def _take(page, quiz) -> None:
    page.goto(f"/quizzes/{quiz.id}")
    answers = right_answers(quiz)
    for question in quiz.questions:
        if question.kind == "ordering":
            for position, option_id in enumerate(answers[question.id], 1):
                page.locator(f'select[name="q__{question.id}__{option_id}"]').select_option(
                    str(position)
                )
    choose(page, quiz, answers)
    submit(page)


def test_a_finished_course_gives_a_certificate_anyone_can_check(
    page,
    new_context,
    live_server: LiveServer,
    artifacts: Path,
) -> None:
    catalogue = catalogue_of(live_server)
    learner = live_server.user(name="Cora Certified")
    log_in(page, learner.email)
    for module in catalogue.modules:
        for lesson in module.lessons:
            page.goto(f"/modules/{module.id}/lessons/{lesson.id}")
    for quiz in catalogue.quizzes.values():
        _take(page, quiz)

    page.goto("/progress")
    section = page.get_by_role("region", name="Your certificates")
    expect(section).to_contain_text(catalogue.course.title)
    screenshot(page, artifacts, "certificate-progress")
    with page.expect_download() as download_info:
        section.get_by_role("link", name="A4").click()
    pdf = artifacts / "certificate-a4.pdf"
    download_info.value.save_as(pdf)
    body = pdf.read_bytes()
    assert body.startswith(b"%PDF-")
    if shutil.which("pdftoppm"):  # a picture of the PDF beside the screenshots
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-singlefile",
                str(pdf),
                str(artifacts / "certificate-a4"),
            ],
            check=True,
        )
    verify_url = re.search(rb"/URI \((http[^)]+/verify/[A-Z2-7]+)\)", body).group(1).decode()

    stranger = new_context().new_page()
    response = stranger.goto(verify_url)
    assert response is not None
    assert response.status == 200
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Certificate check")
    expect(stranger.get_by_text("Valid certificate")).to_be_visible()
    expect(stranger.locator("dl")).to_contain_text("Cora Certified")
    expect(stranger.locator("dl")).to_contain_text(catalogue.course.title)
    expect(stranger.get_by_role("link", name="Log in")).to_be_visible()  # nobody is logged in
    screenshot(stranger, artifacts, "certificate-verify")
