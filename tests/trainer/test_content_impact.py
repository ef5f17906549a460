"""Editing a quiz learners have answered: the impact preview on crafted changes, and each
decision applied and reverted, with the cohort report's figures worked out by hand.

The answers are the hand-checked world of tests/trainer/conftest.py (`check`: pass mark 60% of
five graded questions, so three to pass):
    L1 4 ✓   L2 3 ✓   L3 3 ✓   L4 2 ✗ then 4 ✓   L5 2 ✗ then 0 ✗   (L6 nothing)
    q2 answers: L1 a, L2 a, L3 b, L4 b then a, L5 b then b   (a is right today)
    q5: everyone wrong in every attempt.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Answer, Attempt, Certificate, ContentDecision
from app.services import reporting
from tests.trainer.conftest import World, course_copy


def edited(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    """A copy of the tiny course with `check` edited by plain text replacements."""
    return course_copy(tmp_path / "edited", *replacements)


REWORDED = ("prompt: Question one", "prompt: Question one, put another way")
KEY_CHANGED = (
    "      - {id: a, text: Right two, correct: true}\n      - {id: b, text: Wrong two}",
    "      - {id: a, text: Right two}\n      - {id: b, text: Wrong two, correct: true}",
)
OPTION_REMOVED = ("      - {id: c, text: Wrong C}\n", "")
QUESTION_REMOVED = (
    "  - id: q5\n    kind: single\n    prompt: No one gets this\n    options:\n"
    "      - {id: a, text: Obscure, correct: true}\n      - {id: b, text: Plausible}\n"
    "    explanation: x\n",
    "",
)


def impact_lines(small, folder: Path) -> list[str]:
    result = small.test_cli_runner().invoke(args=["content", "impact", "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def scores() -> list[tuple[float, int, bool | None]]:
    return [
        (a.score, a.max_score, a.passed)
        for a in db.session.scalars(
            select(Attempt).where(Attempt.quiz_id == "check").order_by(Attempt.id)
        )
    ]


def quiz_figures(world: World) -> dict:
    report = reporting.cohort_report(reporting.ReportFilter(world.cohort.id))
    q = next(q for q in report.quizzes if q.quiz.id == "check")
    return {
        "mean": round(q.mean_best_score, 6),
        "pass_rate": round(q.pass_rate, 6),
        "best": {d["score"]: d["learners"] for d in q.distribution if d["learners"]},
    }


BEFORE = {"mean": 0.64, "pass_rate": 0.8, "best": {2: 1, 3: 2, 4: 2}}


@pytest.mark.parametrize(
    ("change", "line", "description"),
    [
        (
            REWORDED,
            "check/q1: 7 answers by 5 learners to an older version; 0 would now score differently",
            "prompt reworded",
        ),
        (
            KEY_CHANGED,
            "check/q2: 7 answers by 5 learners to an older version; 7 would now score differently",
            "key changed (a → b)",
        ),
        (
            OPTION_REMOVED,
            "check/q3: 7 answers by 5 learners to an older version; 0 would now score differently",
            "option(s) removed: c",
        ),
        (
            QUESTION_REMOVED,
            "check/q5: 7 answers by 5 learners to an older version; 0 would now score differently",
            "removed",
        ),
    ],
)
def test_the_impact_of_one_change(small, world, tmp_path, change, line, description):
    lines = impact_lines(small, edited(tmp_path, change))
    assert lines[0] == line
    assert lines[1] == f"    changed: {description}"
    assert lines[-1] == (
        "Total: 1 changed question(s) with 7 answers by 5 learners to older versions; "
        f"{line.rsplit('; ', 1)[1].split()[0]} would now score differently"
    )


def test_several_changes_add_up_and_a_pass_turned_fail_is_listed(small, world, tmp_path):
    lines = impact_lines(small, edited(tmp_path, REWORDED, KEY_CHANGED, QUESTION_REMOVED))
    q2 = lines.index(
        "check/q2: 7 answers by 5 learners to an older version; 7 would now score differently"
    )
    # Rescoring q2 takes L2 from 3 to 2 out of 5: below the pass mark.
    l2_first = scores().index((3, 5, True))
    assert "rescore would turn 1 pass(es) into fails" in lines[q2 + 2]
    assert lines[-1] == (
        "Total: 3 changed question(s) with 21 answers by 5 learners to older versions; "
        "7 would now score differently"
    )
    assert l2_first >= 0
    assert db.session.scalar(select(ContentDecision.id)) is None  # nothing was written


def test_unchanged_content_has_no_impact(small, world):
    result = small.test_cli_runner().invoke(args=["content", "impact"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "Total: 0 changed question(s) with 0 answers by 0 learners to older versions; "
        "0 would now score differently"
    ]


def decide(small, folder: Path, *args: str):
    return small.test_cli_runner().invoke(
        args=["content", "decide", *args, "--dir", str(folder)], catch_exceptions=False
    )


def test_void_takes_a_removed_question_out_of_old_scores_and_reverts(small, world, tmp_path):
    folder = edited(tmp_path, QUESTION_REMOVED)
    before = scores()
    assert quiz_figures(world) == BEFORE
    result = decide(small, folder, "check/q5", "--void")
    assert result.exit_code == 0, result.output
    # Out of 4 now: best ratios L1 4/4, L2 3/4, L3 3/4, L4 4/4, L5 2/4 → mean 4/5; L4's
    # first attempt 2/4 = 50% still fails, so 4 of 5 learners passed, as before.
    assert [m for _, m, _ in scores()] == [4] * 7
    assert quiz_figures(world) == {"mean": 0.8, "pass_rate": 0.8, "best": {2: 1, 3: 2, 4: 2}}
    decision = db.session.scalar(select(ContentDecision))
    assert (decision.decision, decision.answers, decision.attempts_changed) == ("void", 7, 7)
    assert decision.content_version
    assert decision.decided_via.startswith("command line")
    result = decide(small, folder, "check/q5", "--revert")
    assert result.exit_code == 0, result.output
    assert scores() == before
    assert quiz_figures(world) == BEFORE


def test_rescore_needs_force_to_fail_a_pass_then_reverts(small, world, tmp_path):
    folder = edited(tmp_path, KEY_CHANGED)
    before = scores()
    refused = decide(small, folder, "check/q2", "--rescore")
    assert refused.exit_code == 1
    assert "would turn 1 passed attempt(s) into fails" in refused.output
    assert scores() == before
    result = decide(small, folder, "check/q2", "--rescore", "--force")
    assert result.exit_code == 0, result.output
    # b is right now: L1 3 ✓, L2 2 ✗, L3 4 ✓, L4 3 ✓ then 3 ✓, L5 3 ✓ then 1 ✗.
    # Best ratios .6 .4 .8 .6 .6 → mean .6; L1, L3, L4, L5 passed → 4 of 5.
    assert quiz_figures(world) == {"mean": 0.6, "pass_rate": 0.8, "best": {2: 1, 3: 3, 4: 1}}
    assert db.session.scalar(select(ContentDecision.forced)) is True
    again = impact_lines(small, folder)
    assert again[0].endswith("; 0 would now score differently")
    assert decide(small, folder, "check/q2", "--revert").exit_code == 0
    assert scores() == before
    assert quiz_figures(world) == BEFORE


def test_keep_changes_nothing_and_another_decision_replaces_it(small, world, tmp_path):
    folder = edited(tmp_path, KEY_CHANGED)
    before = scores()
    assert decide(small, folder, "check/q2", "--keep").exit_code == 0
    assert scores() == before
    assert quiz_figures(world) == BEFORE
    assert decide(small, folder, "check/q2", "--void").exit_code == 1  # L2: 3/5 ✓ → 2/4 ✗
    assert decide(small, folder, "check/q2", "--void", "--force").exit_code == 0
    decisions = db.session.scalars(select(ContentDecision).order_by(ContentDecision.id)).all()
    assert [(d.decision, d.reverted_at is not None) for d in decisions] == [
        ("keep", True),
        ("void", False),
    ]
    # q2 out of every attempt (in submission order): L1 4/5 → 3/4, L2 3/5 → 2/4, L3 3/5 (q2
    # wrong) → 3/4, L4 2/5 → 2/4, L5 2/5 → 2/4, L4 again 4/5 → 3/4, L5 again 0/5 → 0/4.
    assert [(s, m) for s, m, _ in scores()] == [
        (3, 4),
        (2, 4),
        (3, 4),
        (2, 4),
        (2, 4),
        (3, 4),
        (0, 4),
    ]
    # Best ratios .75 .5 .75 .75 .5 → mean .65; passed (60%): L1, L3, L4 → 3 of 5.
    assert quiz_figures(world) == {"mean": 0.65, "pass_rate": 0.6, "best": {2: 2, 3: 3}}


def test_a_decision_on_an_unchanged_or_unknown_question_is_refused(small, world, tmp_path):
    result = small.test_cli_runner().invoke(args=["content", "decide", "check/q1", "--rescore"])
    assert result.exit_code == 1
    assert "no answers to an older version" in result.output
    result = small.test_cli_runner().invoke(args=["content", "decide", "check-q1", "--keep"])
    assert result.exit_code == 2
    folder = edited(tmp_path, OPTION_REMOVED)
    result = decide(small, folder, "check/q3", "--rescore")
    assert result.exit_code == 1
    assert "cannot be rescored" in result.output


def test_the_summaries_agree_with_the_rows_after_each_decision(small, world, tmp_path):
    from tests.trainer.test_summaries import assert_summaries_match_live

    folder = edited(tmp_path, KEY_CHANGED)
    for args in (["--rescore", "--force"], ["--void", "--force"], ["--keep"], ["--revert"]):
        assert decide(small, folder, "check/q2", *args).exit_code == 0
        assert_summaries_match_live(world.cohort.id)


def test_an_attempt_a_certificate_was_issued_on_keeps_its_score(small, world, tmp_path):
    folder = edited(tmp_path, KEY_CHANGED)
    (folder / "course.yaml").write_text('id: tiny\ntitle: Tiny course\nversion: "1"\n')
    l1, l2 = world.learners[0], world.learners[1]
    for learner in (l1, l2):
        db.session.add(
            Certificate(
                user_id=learner.id,
                course_id="tiny",
                code=f"code-{learner.id}",
                learner_name=learner.name,
                course_title="Tiny course",
                content_version="1",
                issued_at=world.now,
            )
        )
    db.session.commit()
    before = scores()
    # L2's pass (3/5 → 2/5) was the only one a rescore would fail: with a certificate it is kept.
    result = decide(small, folder, "check/q2", "--rescore")
    assert result.exit_code == 0, result.output
    assert "2 attempt(s) a certificate was issued on keep their score" in result.output
    after = scores()
    assert after[:2] == before[:2]  # L1 and L2
    assert after[2] == (4, 5, True)  # L3: b is right now


# ---------------------------------------------------------------- partial credit

# q3 of the partial-credit course (tests/trainer/conftest.py PARTIAL_CHECK: a, b, d right) with
# its key changed: c right instead of b.
PARTIAL_KEY_CHANGED = (
    "      - {id: b, text: Right B, correct: true}\n      - {id: c, text: Wrong C}\n",
    "      - {id: b, text: Right B}\n      - {id: c, text: Wrong C, correct: true}\n",
)


def answers_to_q3() -> list[tuple[bool, float]]:
    return [
        (a.correct, a.credit)
        for a in db.session.scalars(
            select(Answer).where(Answer.question_id == "q3").order_by(Answer.attempt_id)
        )
    ]


def test_rescoring_a_partial_credit_question_keeps_fractions_and_reverts(
    partial, partial_world, tmp_path
):
    """build_partial_world: P1 4 ✓, P2 2 1/3 ✗, P3 3 1/3 ✓, P4 2 2/3 ✓ (pass mark 2.5 of 5).
    Today's key for q3 is a, c, d (each right tick +1/3, each wrong one −1/3, at least 0):
        P1 a b d: 2/3 − 1/3 = 1/3 (was 1)    → 4 − 1 + 1/3 = 3 1/3, still passed
        P2 a:     1/3 (as before)            → 2 1/3, unchanged
        P3 a b c: 2/3 − 1/3 = 1/3 (as before) → 3 1/3, unchanged
        P4 a b:   1/3 − 1/3 = 0 (was 2/3)    → 2 2/3 − 2/3 = 2, now failed
    """
    folder = course_copy(
        tmp_path / "edited", PARTIAL_KEY_CHANGED, source=partial.config["CONTENT_DIR"]
    )
    before, q3_before = scores(), answers_to_q3()
    assert before == [(4.0, 5, True), (7 / 3, 5, False), (10 / 3, 5, True), (8 / 3, 5, True)]
    assert q3_before == [(True, 1.0), (False, 0.333333), (False, 0.333333), (False, 0.666667)]
    lines = impact_lines(partial, folder)
    assert lines[0] == (
        "check/q3: 4 answers by 4 learners to an older version; 2 would now score differently"
    )
    refused = decide(partial, folder, "check/q3", "--rescore")
    assert refused.exit_code == 1
    assert "would turn 1 passed attempt(s) into fails" in refused.output

    result = decide(partial, folder, "check/q3", "--rescore", "--force")
    assert result.exit_code == 0, result.output
    assert answers_to_q3() == [
        (False, 0.333333),
        (False, 0.333333),
        (False, 0.333333),
        (False, 0.0),
    ]
    assert scores() == [(10 / 3, 5, True), (7 / 3, 5, False), (10 / 3, 5, True), (2.0, 5, False)]
    decision = db.session.scalar(select(ContentDecision))
    assert (decision.answers, decision.attempts_changed) == (4, 2)
    # Best ratios (10/3 + 7/3 + 10/3 + 2) / 5 / 4 = 11/20; P1 and P3 passed. P2 (2 1/3) and P4
    # (2) share the column under the pass mark.
    report = reporting.cohort_report(reporting.ReportFilter(partial_world.cohort.id))
    check = next(q for q in report.quizzes if q.quiz.id == "check")
    assert (round(check.mean_best_score, 6), check.pass_rate) == (0.55, 0.5)
    assert {d["label"]: d["learners"] for d in check.distribution if d["learners"]} == {
        "2 to under 2.5": 2,
        "3 to under 4": 2,
    }
    q3 = next(x for x in check.questions if x.id == "q3")
    assert (q3.right, round(q3.average_credit, 6)) == (0, 0.25)  # (3 × 0.333333 + 0) / 4

    assert decide(partial, folder, "check/q3", "--revert").exit_code == 0
    assert scores() == before  # exactly what was there
    assert answers_to_q3() == q3_before
    again = reporting.cohort_report(reporting.ReportFilter(partial_world.cohort.id))
    q3 = next(x for q in again.quizzes if q.quiz.id == "check" for x in q.questions if x.id == "q3")
    assert (q3.right, round(q3.average_credit, 4)) == (1, 0.5833)


def test_voiding_a_partial_credit_question_takes_its_fraction_out_and_reverts(
    partial, partial_world, tmp_path
):
    """q3 removed, then voided: each attempt loses q3's credit and its point of the maximum.
    P1 4 − 1 = 3 of 4, P2 2 1/3 − 1/3 = 2 of 4 (50%: now passed), P3 3 1/3 − 1/3 = 3 of 4,
    P4 2 2/3 − 2/3 = 2 of 4."""
    q3 = "".join(
        line + "\n"
        for line in (
            "  - id: q3",
            "    kind: multiple",
            "    scoring: partial",
            "    prompt: Question three",
            "    options:",
            "      - {id: a, text: Right A, correct: true}",
            "      - {id: b, text: Right B, correct: true}",
            "      - {id: c, text: Wrong C}",
            "      - {id: d, text: Right D, correct: true}",
            "    explanation: x",
        )
    )
    folder = course_copy(tmp_path / "edited", (q3, ""), source=partial.config["CONTENT_DIR"])
    before = scores()
    result = decide(partial, folder, "check/q3", "--void")
    assert result.exit_code == 0, result.output
    assert scores() == [(3.0, 4, True), (2.0, 4, True), (3.0, 4, True), (2.0, 4, True)]
    assert decide(partial, folder, "check/q3", "--revert").exit_code == 0
    assert scores() == before
