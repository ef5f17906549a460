"""A trainer in a real browser: create a cohort, see a learner (in a second browser) join it and
answer a quiz, then read the overview, the item analysis and the drill-down, and download both
CSV files."""

from __future__ import annotations

import csv
import re
import secrets
from pathlib import Path

import pytest

from tests.conftest import right_answers, wrong_answers
from tests.e2e.conftest import catalogue_of, choose, log_in, screenshot, submit

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

QUIZ = "five-steps-check"  # single, multiple and ordering questions
ANSWERED_WRONG = {"relational-role", "three-keys", "quote-provided"}  # one multiple, two single


def order_with_selects(page, question) -> None:
    """Give each step its right position with the position drop-downs."""
    fieldset = page.locator(f"#question-{question.id}")
    for position, option_id in enumerate(question.correct_order, 1):
        label = f"Position of: {question.option(option_id).text}"
        fieldset.get_by_label(label, exact=True).select_option(str(position))


def download_csv(page, link_name: str) -> tuple[str, list[dict[str, str]], list[str]]:
    """Click a download link; the file's suggested name, its rows and its header."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    download = info.value
    with Path(download.path()).open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        rows = list(reader)
    return download.suggested_filename, rows, list(reader.fieldnames or [])


def test_a_trainer_follows_a_learner_in_a_browser(new_context, live_server, artifacts) -> None:
    quiz = catalogue_of(live_server).quiz(QUIZ)
    assert all(quiz.question(q) for q in ANSWERED_WRONG), "the quiz no longer has these questions"
    ordering = next(q for q in quiz.questions if q.kind == "ordering")
    answers = right_answers(quiz) | {
        q: a for q, a in wrong_answers(quiz).items() if q in ANSWERED_WRONG
    }
    correct = {q.id: q.id not in ANSWERED_WRONG for q in quiz.questions}
    score = sum(correct.values())
    trainer = live_server.user(role="trainer", name="Tara Trainer")
    learner = live_server.user(name=f"Leo Learner {secrets.token_hex(2)}")
    cohort_name = f"Autumn cohort {secrets.token_hex(3)}"

    # The trainer logs in and creates a cohort.
    coach = new_context().new_page()
    log_in(coach, trainer.email)
    coach.get_by_role("navigation", name="Main").get_by_role("link", name="Cohorts").click()
    expect(coach.get_by_role("heading", level=1)).to_have_text("Cohorts")
    expect(coach.get_by_text("You do not train any cohort yet.")).to_be_visible()
    screenshot(coach, artifacts, "journey-trainer-create-cohort")
    coach.get_by_label("Name").fill(cohort_name)
    coach.get_by_label("Description").fill("Customer desk, October")
    coach.get_by_role("button", name="Create cohort").click()
    expect(coach.get_by_role("status")).to_contain_text(f"Cohort “{cohort_name}” created.")
    expect(coach.get_by_role("heading", level=1)).to_have_text(cohort_name)
    code = coach.locator(".join-code code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{6,}", code), code
    cohort_id = int(re.search(r"/cohorts/(\d+)/members$", coach.url).group(1))
    screenshot(coach, artifacts, "journey-trainer-members")

    # In a second browser, the learner joins with the code and answers the quiz.
    student = new_context().new_page()
    log_in(student, learner.email)
    student.get_by_role("navigation", name="Main").get_by_role("link", name="Join a cohort").click()
    expect(student.get_by_role("heading", level=1)).to_have_text("Join a cohort")
    student.get_by_label("Join code").fill(code)
    screenshot(student, artifacts, "journey-trainer-join")
    student.get_by_role("button", name="Join").click()
    expect(student.get_by_role("status")).to_have_text(f"You joined the cohort “{cohort_name}”.")
    student.goto(f"/quizzes/{quiz.id}")
    order_with_selects(student, ordering)
    choose(student, quiz, answers)
    submit(student)
    expect(student.locator(".verdict")).to_contain_text("✗ Not passed yet")
    expect(student.get_by_text("✓ Right", exact=True)).to_have_count(score)

    # The cohort list counts the learner.
    coach.get_by_role("navigation", name="Main").get_by_role("link", name="Cohorts").click()
    row = coach.get_by_role("row").filter(has=coach.get_by_role("link", name=cohort_name))
    expect(row.get_by_role("cell")).to_have_text(["1", "1", code, re.compile(r"\d{4}-\d\d-\d\d")])
    screenshot(coach, artifacts, "journey-trainer-cohorts")

    # The overview: one learner, one attempt at the quiz, its score and pass rate.
    row.get_by_role("link", name=cohort_name).click()
    expect(coach.get_by_role("heading", level=1)).to_have_text(cohort_name)
    expect(coach.locator(".figures li").first).to_have_text("1 learner")
    quizzes = coach.get_by_role("table", name=re.compile(r"^Results per graded quiz"))
    row = quizzes.get_by_role("row").filter(has=coach.get_by_role("rowheader", name=quiz.title))
    percent = f"{int(score * 100 / quiz.max_score + 0.5)}%"
    expect(row.get_by_role("cell")).to_have_text(["1", "1", percent, "0%"])
    screenshot(coach, artifacts, "journey-trainer-overview")

    # The item analysis: each question answered once, right or wrong as the learner answered.
    tabs = coach.get_by_role("navigation", name="Cohort pages")
    tabs.get_by_role("link", name="Item analysis").click()
    items = coach.get_by_role("table", name=f"Questions of {quiz.title} (current version)")
    expect(items.locator("tbody tr")).to_have_count(len(quiz.questions))
    for question in quiz.questions:
        row = items.get_by_role("row").filter(has_text=question.prompt[:60])
        cells = row.get_by_role("cell")
        expect(cells.nth(0)).to_have_text("1")
        right = int(correct[question.id])
        expect(cells.nth(1)).to_have_text(f"{right * 100}%")
        expect(cells.nth(2)).to_have_text(f"{right} of 1")
    screenshot(coach, artifacts, "journey-trainer-items")

    # The progress matrix, and from it the learner's answers with their correctness.
    tabs.get_by_role("link", name="Progress").click()
    matrix = coach.get_by_role("table", name="Progress of 1 learner")
    expect(
        matrix.get_by_role("cell", name=f"{score} of {quiz.max_score} not passed")
    ).to_be_visible()
    screenshot(coach, artifacts, "journey-trainer-progress")
    matrix.get_by_role("link", name=learner.name).click()
    expect(coach.get_by_role("heading", level=2, name=learner.name)).to_be_visible()
    expect(coach.get_by_role("main")).to_contain_text(learner.email)
    attempt = coach.locator("details.attempt")
    expect(attempt.locator(".attempt-title")).to_have_text(f"{quiz.title} · attempt 1")
    folded = attempt.locator(":scope > summary")
    expect(folded).to_contain_text(f"{score} of {quiz.max_score} · not passed")
    folded.click()  # the attempt is folded until opened
    answers_table = attempt.get_by_role("table", name=f"Answers of attempt 1 at {quiz.title}")
    for question in quiz.questions:
        row = answers_table.get_by_role("row").filter(has_text=question.prompt[:60])
        verdict = "✓ right" if correct[question.id] else "✗ wrong"
        expect(row.get_by_role("cell").last).to_contain_text(verdict)
    screenshot(coach, artifacts, "journey-trainer-learner")

    # Both CSV files, downloaded from the overview.
    tabs.get_by_role("link", name="Overview").click()
    name, rows, header = download_csv(coach, "One row per learner")
    assert name == f"cohort-{cohort_id}-learners.csv"
    assert header[:3] == ["learner_id", "name", "email"]
    assert {f"{quiz.id}: attempts", f"{quiz.id}: best score", f"{quiz.id}: passed"} <= set(header)
    assert len(rows) == 1
    assert rows[0]["learner_id"] == str(learner.id)
    assert rows[0]["email"] == learner.email
    assert rows[0]["name"] == learner.name
    assert rows[0][f"{quiz.id}: attempts"] == "1"
    assert rows[0][f"{quiz.id}: best score"] == str(score)
    assert rows[0][f"{quiz.id}: max score"] == str(quiz.max_score)
    assert rows[0][f"{quiz.id}: passed"] == "no"

    name, rows, header = download_csv(coach, "One row per answer")
    assert name == f"cohort-{cohort_id}-answers.csv"
    assert header[:5] == ["learner_id", "name", "email", "attempt_id", "quiz_id"]
    assert {"question_id", "chosen_option_ids", "correct"} <= set(header)
    assert len(rows) == len(quiz.questions)
    assert {(r["email"], r["quiz_id"]) for r in rows} == {(learner.email, quiz.id)}
    assert {r["question_id"]: r["chosen_option_ids"] for r in rows} == {
        q: "|".join(a) for q, a in answers.items()
    }
    assert {r["question_id"]: r["correct"] for r in rows} == {
        q: "yes" if right else "no" for q, right in correct.items()
    }
