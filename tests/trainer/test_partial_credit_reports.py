"""Partial credit in the trainer's reports, with every figure worked out by hand.

The cohort is tests/trainer/conftest.py's `build_partial_world`: four learners' first attempts
at `check` passing at 2.5 of 5, whose q3 has three right options of four (a, b, d) scored
`partial` (each right tick +1/3, each wrong tick −1/3, never below 0):

    P1 a b d → 1      P2 a → 1/3      P3 a b c → 2/3 − 1/3 = 1/3      P4 a b → 2/3
    scores: P1 4, P2 2 1/3, P3 3 1/3, P4 2 2/3 (q1, q2 as chosen; q4 right, q5 wrong for all)
"""

from __future__ import annotations

import math

import pytest

from app.services import reporting
from tests.conftest import Api, make_app
from tests.security.conftest import sharing_the_test_transaction
from tests.trainer.conftest import World, course_copy, log_in
from tests.trainer.test_summaries import assert_summaries_match_live

# q3: credits 1, 1/3, 1/3, 2/3 → average (1 + 1/3 + 1/3 + 2/3) / 4 = 7/12; only P1 fully right.
AVERAGE_CREDIT = 7 / 12  # 0.5833
# x = q3's credit, y = the rest of the attempt: P1 (1, 3), P2 (1/3, 2), P3 (1/3, 3), P4 (2/3, 2).
# Deviations from the means (7/12, 5/2): x (5, −3, −3, 1)/12, y (1, −1, 1, −1)/2, so
# Σdxdy = 4/24 = 1/6, Σdx² = 44/144 = 11/36, Σdy² = 1 and r = (1/6) / √(11/36) = 1/√11.
DISCRIMINATION = 1 / math.sqrt(11)  # 0.3015

# Best scores 4, 2 1/3, 3 1/3, 2 2/3 out of 5: one column per point, the one holding the pass
# mark (2.5) split at it, full marks alone.
DISTRIBUTION = [
    (0, 1, "0 to under 1", 0, False),
    (1, 2, "1 to under 2", 0, False),
    (2, 2.5, "2 to under 2.5", 1, False),  # P2, 2 1/3: failed
    (2.5, 3, "2.5 to under 3", 1, True),  # P4, 2 2/3: passed
    (3, 4, "3 to under 4", 1, True),  # P3
    (4, 5, "4 to under 5", 1, True),  # P1
    (5, None, "5 / 5", 0, True),
]


def _report(world: World, **dates) -> reporting.CohortReport:
    return reporting.cohort_report(reporting.ReportFilter(world.cohort.id, **dates))


def _check(report: reporting.CohortReport) -> reporting.QuizStats:
    return next(q for q in report.quizzes if q.quiz.id == "check")


def _q3(report: reporting.CohortReport) -> reporting.QuestionStats:
    return next(x for x in _check(report).questions if x.id == "q3")


def test_item_analysis_reports_the_average_credit_beside_the_share_fully_right(partial_world):
    q3 = _q3(_report(partial_world))
    assert q3.partial
    assert (q3.answered, q3.right) == (4, 1)
    assert q3.average_credit == pytest.approx(AVERAGE_CREDIT, abs=1e-6)
    assert q3.facility == pytest.approx(AVERAGE_CREDIT, abs=1e-6)  # facility rests on credit
    assert q3.fully_right == 0.25
    assert q3.discrimination == pytest.approx(DISCRIMINATION, abs=1e-5)
    # Ticks: a by all four, b by P1 P3 P4, c (wrong) by P3, d by P1.
    assert [(o.id, o.count, o.correct) for o in q3.options] == [
        ("a", 4, True),
        ("b", 3, True),
        ("c", 1, False),
        ("d", 1, True),
    ]
    q1 = next(x for x in _check(_report(partial_world)).questions if x.id == "q1")
    assert not q1.partial  # all or nothing: facility is the share right
    assert (q1.facility, q1.fully_right, q1.right) == (0.75, 0.75, 3)


def test_the_summaries_and_a_rebuild_agree_with_the_live_figures(partial, partial_world):
    kept = assert_summaries_match_live(partial_world.cohort.id)
    result = partial.test_cli_runner().invoke(args=["cohorts", "rebuild-summaries"])
    assert result.exit_code == 0, result.output
    assert assert_summaries_match_live(partial_world.cohort.id) == kept
    assert _q3(_report(partial_world)).average_credit == pytest.approx(AVERAGE_CREDIT, abs=1e-6)


def test_fractional_best_scores_fall_in_labelled_ranges_with_the_pass_mark(partial_world):
    check = _check(_report(partial_world))
    assert [
        (d["score"], d["below"], d["label"], d["learners"], d["passes"]) for d in check.distribution
    ] == DISTRIBUTION
    assert check.fractional
    assert check.pass_marker == (3, "pass mark (2.5 / 5)")
    # Best ratios (4 + 7/3 + 10/3 + 8/3) / 5 / 4 = 37/60; P1, P3, P4 passed.
    assert check.mean_best_score == pytest.approx(37 / 60)
    assert check.pass_rate == 0.75


def test_a_quiz_with_whole_scores_keeps_a_column_per_score(world):
    check = _check(_report(world))
    assert not check.fractional
    assert [d["label"] for d in check.distribution] == [f"{s} / 5" for s in range(6)]
    assert check.pass_marker == (3, "pass mark (3 / 5)")  # 60% of 5
    assert [d["passes"] for d in check.distribution] == [False] * 3 + [True] * 3


def test_the_pages_show_the_ranges_and_the_average_credit(partial, partial_world):
    client = partial.test_client()
    log_in(client, partial_world.trainer)
    cohort = partial_world.cohort.id
    overview = client.get(f"/trainer/cohorts/{cohort}").text
    # The chart's table says each column's range, the same as the chart's columns.
    assert '<th scope="row">2 to under 2.5</th><td>1</td>' in overview
    assert '<th scope="row">1 to under 2</th><td>0</td>' in overview
    assert '2.5 to under 3 <span class="muted">(pass mark (2.5 / 5))</span></th><td>1</td>' in (
        overview
    )
    assert "pass mark (2.5 / 5)" in overview
    assert "learners per range of scores" in overview
    items = client.get(f"/trainer/cohorts/{cohort}/items").text
    assert "q3 · partial credit" in items
    assert "58%" in items  # the facility: the average credit
    assert "average credit 0.58 of the point" in items
    assert '<td data-label="Fully right" class="num">1 of 4</td>' in items
    assert '<td data-label="Discrimination">0.30</td>' in items


def test_the_api_gives_the_distribution_and_the_average_credit(partial, partial_world, make):
    api = Api(partial.test_client(), make.token(partial_world.trainer))
    response = api.get(f"/cohorts/{partial_world.cohort.id}/report")
    assert response.status_code == 200
    check = next(q for q in response.get_json()["quizzes"] if q["id"] == "check")
    assert [
        (d["score"], d["below"], d["label"], d["learners"], d["passes"])
        for d in check["score_distribution"]
    ] == DISTRIBUTION
    q3 = next(q for q in check["questions"] if q["id"] == "q3")
    assert q3["scoring"] == "partial"
    assert q3["average_credit"] == pytest.approx(AVERAGE_CREDIT, abs=1e-6)
    assert q3["facility"] == pytest.approx(AVERAGE_CREDIT, abs=1e-6)
    assert q3["fully_right"] == 0.25
    assert q3["discrimination"] == pytest.approx(DISCRIMINATION, abs=1e-5)
    q1 = next(q for q in check["questions"] if q["id"] == "q1")
    assert (q1["scoring"], q1["average_credit"], q1["fully_right"]) == ("all", None, 0.75)
    mood = next(q for q in response.get_json()["quizzes"] if q["id"] == "mood")
    assert mood["score_distribution"] is None  # a self-assessment has no scores


def test_answers_to_an_older_partial_version_keep_their_average_credit(
    partial, partial_world, database_url, tmp_path
):
    """Once q3 is changed (here its prompt), the answers above are to an older version, whose
    definition the server no longer has: it is still reported as partial, from the fractions."""
    folder = course_copy(
        tmp_path / "changed",
        ("prompt: Question three", "prompt: Question three, reworded"),
        source=partial.config["CONTENT_DIR"],
    )
    changed = make_app(database_url, CONTENT_DIR=folder)
    with sharing_the_test_transaction(changed, partial), changed.app_context():
        assert_summaries_match_live(partial_world.cohort.id)
        check = _check(_report(partial_world))
        assert "q3" not in [x.id for x in check.questions]
        [older] = [x for x in check.older if x.id == "q3"]
        assert older.partial
        assert (older.answered, older.right) == (4, 1)
        assert older.average_credit == pytest.approx(AVERAGE_CREDIT, abs=1e-6)
        client = changed.test_client()
        log_in(client, partial_world.trainer)
        items = client.get(f"/trainer/cohorts/{partial_world.cohort.id}/items").text
        assert "Older versions of questions in Check" in items
        assert "average credit 0.58 of the point" in items
