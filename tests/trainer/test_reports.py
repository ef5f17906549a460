"""Every figure of the cohort report on the hand-checked data set of conftest.build_world."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.services import accounts, reporting
from app.services.reporting import hooks, report
from tests.trainer.conftest import World, answer, check


def report_of(world: World, **dates) -> reporting.CohortReport:
    return reporting.cohort_report(reporting.ReportFilter(world.cohort.id, **dates))


def quiz(report: reporting.CohortReport, quiz_id: str) -> reporting.QuizStats:
    return next(q for q in report.quizzes if q.quiz.id == quiz_id)


def question(report: reporting.CohortReport, question_id: str) -> reporting.QuestionStats:
    return next(q for q in quiz(report, "check").questions if q.id == question_id)


def test_learners_modules_and_overview_counts(world):
    report = report_of(world)
    assert [x.name for x in report.learners] == [f"L{i} Learner" for i in range(1, 7)]
    modules = {m.module.id: (m.started, m.completed) for m in report.modules}
    # intro: L1, L2, L3, L5 read a lesson and L4 attempted its quiz; only L1 and L2 read both
    # lessons AND passed `check`. second: only L1 read s1, and it has no quiz.
    assert modules == {"intro": (5, 2), "second": (1, 1)}
    assert report.not_started == 1  # L6
    assert report.completed_all == 1  # L1


def test_quiz_results(world):
    check = quiz(report_of(world), "check")
    assert check.attempts == 7
    assert check.learners == 5
    # best scores out of 5: L1 4, L2 3, L3 3, L4 4 (second attempt), L5 2 → (.8+.6+.6+.8+.4)/5
    assert check.mean_best_score == pytest.approx(0.64)
    assert check.pass_rate == pytest.approx(0.8)  # all but L5
    assert [(d["score"], d["learners"]) for d in check.distribution] == [
        (0, 0), (1, 0), (2, 1), (3, 2), (4, 2), (5, 0),
    ]  # fmt: skip
    mood = quiz(report_of(world), "mood")
    assert (mood.attempts, mood.learners, mood.mean_best_score, mood.pass_rate) == (
        3,
        3,
        None,
        None,
    )
    assert mood.questions == []


def test_facility_and_discrimination_by_hand(world):
    """First attempts only. x = the question's score, y = the attempt's score minus x.

    first attempts (q1 q2 q3 q4 q5 → score): L1 1 1 1 1 0 → 4 · L2 1 1 0 1 0 → 3 ·
    L3 1 0 1 1 0 → 3 · L4 0 0 1 1 0 → 2 · L5 0 0 1 1 0 → 2
    r = (nΣxy − ΣxΣy) / √((nΣx² − (Σx)²)(nΣy² − (Σy)²)), n = 5
    q1: x 1 1 1 0 0, y 3 2 2 2 2: Σx 3 Σy 11 Σxy 7 Σx² 3 Σy² 25
        r = (35 − 33) / √((15 − 9)(125 − 121)) = 2/√24 = 0.4082
    q2: x 1 1 0 0 0, y 3 2 3 2 2: Σx 2 Σy 12 Σxy 5 Σx² 2 Σy² 30
        r = (25 − 24) / √((10 − 4)(150 − 144)) = 1/6 = 0.1667
    q3: x 1 0 1 1 1, y 3 3 2 1 1: Σx 4 Σy 10 Σxy 7 Σx² 4 Σy² 24
        r = (35 − 40) / √((20 − 16)(120 − 100)) = −5/√80 = −0.5590
    q4 (all right) and q5 (all wrong): nΣx² − (Σx)² = 0, so no figure.
    """
    report = report_of(world)
    expected = {
        "q1": (5, 0.6, 2 / 24**0.5),
        "q2": (5, 0.4, 1 / 6),
        "q3": (5, 0.8, -5 / 80**0.5),
        "q4": (5, 1.0, None),
        "q5": (5, 0.0, None),
    }
    assert [q.id for q in quiz(report, "check").questions] == ["q1", "q2", "q3", "q4", "q5"]
    for question_id, (answered, facility, discrimination) in expected.items():
        stats = question(report, question_id)
        assert stats.answered == answered, question_id
        assert stats.facility == pytest.approx(facility), question_id
        if discrimination is None:
            assert stats.discrimination is None, question_id
        else:
            assert stats.discrimination == pytest.approx(discrimination, abs=1e-9), question_id
    assert question(report, "q1").discrimination == pytest.approx(0.4082, abs=1e-4)
    assert question(report, "q3").discrimination == pytest.approx(-0.5590, abs=1e-4)


def test_option_counts_most_chosen_wrong_and_flags(world):
    report = report_of(world)
    counts = {q.id: {o.id: o.count for o in q.options} for q in quiz(report, "check").questions}
    assert counts == {
        "q1": {"a": 3, "b": 2, "c": 0},
        "q2": {"a": 2, "b": 3},
        "q3": {"a": 5, "b": 4, "c": 1},
        "q4": {"a": 5, "b": 0},
        "q5": {"a": 0, "b": 5},
    }
    wrong = {
        q.id: q.most_chosen_wrong.id if q.most_chosen_wrong else None
        for q in quiz(report, "check").questions
    }
    assert wrong == {"q1": "b", "q2": "b", "q3": "c", "q4": None, "q5": "b"}
    flags = {q.id: q.flags for q in quiz(report, "check").questions}
    assert flags == {
        "q1": [],
        "q2": [],
        "q3": ["negative discrimination"],
        "q4": ["too easy"],
        "q5": ["too hard"],
    }


def test_profile_questions_are_left_out_of_correctness(world):
    report = report_of(world)
    assert "p1" not in [q.id for q in quiz(report, "check").questions]


def test_answers_on_an_older_question_version_are_counted_apart(world):
    from app.extensions import db
    from app.models import Answer, Attempt

    l1_first = db.session.scalars(
        db.select(Attempt).where(
            Attempt.user_id == world.learners[0].id, Attempt.quiz_id == "check"
        )
    ).first()
    db.session.execute(
        db.update(Answer)
        .where(Answer.attempt_id == l1_first.id, Answer.question_id == "q1")
        .values(question_version="0ld0ld0ld0ld0ld")
    )
    # Rows changed behind the app's back: the summaries the open-range report reads follow.
    hooks.rebuild(db.session.connection())
    report = report_of(world)
    assert question(report, "q1").answered == 4
    assert question(report, "q1").facility == pytest.approx(2 / 4)
    older = quiz(report, "check").older
    assert [(o.id, o.version, o.answered, o.right) for o in older] == [
        ("q1", "0ld0ld0ld0ld0ld", 1, 1)
    ]
    assert older[0].discrimination is None  # one answer: cannot be computed


def test_the_date_range_applies_to_every_figure(world):
    since = (world.now - timedelta(days=5)).date()
    report = report_of(world, date_from=since)
    check = quiz(report, "check")
    # Only the two second attempts (L4: 4, L5: 0) are in the range.
    assert (check.attempts, check.learners) == (2, 2)
    assert check.mean_best_score == pytest.approx(0.4)
    assert check.pass_rate == pytest.approx(0.5)
    assert question(report, "q1").answered == 2
    assert question(report, "q1").facility == pytest.approx(0.5)
    assert {m.module.id: (m.started, m.completed) for m in report.modules} == {
        "intro": (2, 0),
        "second": (0, 0),
    }
    assert report.not_started == 4
    assert sum(w["attempts"] for w in report.activity) == 2
    until = (world.now - timedelta(days=20)).date()
    early = report_of(world, date_to=until)
    assert quiz(early, "check").attempts == 1  # L3, 30 days ago
    assert quiz(early, "mood").attempts == 1


def test_activity_per_week(world):
    weeks = report_of(world).activity
    assert sum(w["attempts"] for w in weeks) == 10
    assert sum(w["lessons"] for w in weeks) == 7
    assert all((b["week"] - a["week"]).days == 7 for a, b in zip(weeks, weeks[1:], strict=False))
    assert all(w["week"].weekday() == 0 for w in weeks)
    assert max(w["active"] for w in weeks) <= 5


def test_progress_matrix_and_sorting(world):
    rows = reporting.learner_rows(reporting.ReportFilter(world.cohort.id))
    by_name = {r.learner.name: r for r in rows}
    l1, l4 = by_name["L1 Learner"], by_name["L4 Learner"]
    assert l1.lessons == {"intro": 2, "second": 1}
    assert l1.completed == {"intro", "second"}
    assert (l4.quizzes["check"].attempts, l4.quizzes["check"].best, l4.quizzes["check"].passed) == (
        2,
        4,
        True,
    )
    ordered = reporting.sort_rows(rows, "quiz:check", descending=True)
    assert [r.learner.name[:2] for r in ordered] == ["L1", "L4", "L2", "L3", "L5", "L6"]
    ordered = reporting.sort_rows(rows, "completed", descending=True)
    assert ordered[0].learner.name == "L1 Learner"
    assert reporting.sort_rows(rows, "nonsense")[0].learner.name == "L1 Learner"


def test_needs_attention_with_reasons(world):
    found = {
        a.learner.name: a.reasons
        for a in reporting.needs_attention(reporting.ReportFilter(world.cohort.id))
    }
    assert set(found) == {"L3 Learner", "L5 Learner", "L6 Learner"}
    assert found["L6 Learner"] == ["has not started"]
    assert found["L3 Learner"][0].startswith("no activity for 30 days")
    assert found["L5 Learner"] == ["failed “Check” 2 times (not passed yet)"]
    week = {
        a.learner.name
        for a in reporting.needs_attention(reporting.ReportFilter(world.cohort.id), 7)
    }
    assert week == {"L2 Learner", "L3 Learner", "L5 Learner", "L6 Learner"}  # L2 idle 10 days


def test_needs_attention_lists_the_most_urgent_first_and_resolved_cases_apart(world):
    # L4 failed `check` once, then passed; one more failure makes "failed twice, passed since".
    answer(world.learners[3], "check", check("b", "b", ["c"]), world.now - timedelta(days=1))
    db.session.commit()
    cases = reporting.attention_list(reporting.ReportFilter(world.cohort.id), 7)
    # failing (not passed yet) first; then stalled, longest idle first (L3 30 days, L2 10); then
    # not started.
    assert [a.learner.name for a in cases.open] == [
        "L5 Learner",
        "L3 Learner",
        "L2 Learner",
        "L6 Learner",
    ]
    assert [a.urgency_words for a in cases.open] == [
        "failing a quiz",
        "stalled",
        "stalled",
        "not started",
    ]
    [resolved] = cases.resolved
    assert resolved.learner.name == "L4 Learner"
    assert resolved.resolved == ["failed “Check” 2 times (passed since)"]
    assert "L4 Learner" not in {a.learner.name for a in cases.open}


def test_needs_attention_leaves_out_deactivated_learners(world):
    accounts.set_active(world.learners[5], False)  # L6, who has not started
    found = {
        a.learner.name for a in reporting.needs_attention(reporting.ReportFilter(world.cohort.id))
    }
    assert found == {"L3 Learner", "L5 Learner"}


def test_self_assessment_distributions_without_singling_anyone_out(world):
    found = {
        p.profile_id: p for p in reporting.self_assessment(reporting.ReportFilter(world.cohort.id))
    }
    trust = found["trust"]
    assert (trust.learners, trust.shown) == (3, True)
    # L1 and L2 answered 'always' three times: 10 × 10 ^ (10 / 10) = 100; L3: (1 × 1) ^ 1 = 1.
    assert [b["learners"] for b in trust.trust] == [1, 0, 0, 0, 2]
    style = found["style"]  # the profile question of `check`, latest attempt of each learner
    assert {c["id"]: c["learners"] for c in style.counts} == {"people": 4, "things": 1}
    since = (world.now - timedelta(days=15)).date()
    recent = {
        p.profile_id: p
        for p in reporting.self_assessment(reporting.ReportFilter(world.cohort.id, since))
    }
    assert (recent["trust"].learners, recent["trust"].shown, recent["trust"].trust) == (
        2,
        False,
        [],
    )


def test_learner_attempts_with_every_answer(world):
    l4 = world.learners[3]
    views = reporting.learner_attempts(reporting.ReportFilter(world.cohort.id), l4.id)
    assert [(v.attempt.quiz_id, v.number) for v in views] == [("check", 2), ("check", 1)]
    first = views[1]
    assert first.seconds == 300
    assert [(a.question_id, a.correct) for a in first.answers] == [
        ("q1", False), ("q2", False), ("q3", True), ("q4", True), ("q5", False), ("p1", None),
    ]  # fmt: skip
    assert first.answers[0].selected == [("b", "=HYPERLINK(tempting)")]


def test_pearson_edge_cases():
    assert reporting.pearson(1, 1, 1, 1, 1, 1) is None
    assert reporting.pearson(3, 3, 6, 6, 3, 14) is None  # x constant
    assert reporting.pearson(2, 1, 1, 1, 1, 1) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("date_from", "date_to"), [("2024-13-01", ""), ("", "yesterday"), ("2024-05-02", "2024-05-01")]
)
def test_unreadable_ranges_are_refused(date_from, date_to):
    with pytest.raises(reporting.ReportFilterError):
        reporting.ReportFilter.parse(1, date_from, date_to)


def test_the_cache_answers_only_while_the_data_is_unchanged(small, world):
    from tests.trainer.conftest import answer, check, counting_queries

    small.config["REPORT_CACHE_SECONDS"] = 60
    try:
        f = reporting.ReportFilter(world.cohort.id)
        first = reporting.cohort_report(f)
        with counting_queries() as statements:
            again = reporting.cohort_report(f)
        # the learners, the data version, the live certificates and the footnotes
        assert len(statements) == 4
        assert quiz(again, "check") is quiz(first, "check")
        answer(world.learners[5], "check", check("a", "a", ["a", "b"]), world.now)
        fresh = reporting.cohort_report(f)
        assert quiz(fresh, "check").attempts == 8
        assert fresh.not_started == 0
    finally:
        small.config.pop("REPORT_CACHE_SECONDS")
        report._CACHE.clear()
