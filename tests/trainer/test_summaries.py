"""The summary tables behind the open-range cohort report stay equal to the live computation.

The open-range report reads app/models/summary.py's tables; a report with a date range is
still computed from every attempt, answer and lesson read. A range wide enough to hold
everything must therefore give the very same figures, whatever happened in between.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Table, delete, func, select

from app.cli_trainer import seed_demo
from app.extensions import db
from app.models import LearnerQuiz, SummaryState, User
from app.serializers.reports import report_json
from app.services import accounts, cohorts, data_rights, reporting
from app.services.catalogue import get_catalogue
from app.services.reporting import hooks
from tests.conftest import Api, make_app, right_answers, wrong_answers
from tests.security.conftest import sharing_the_test_transaction
from tests.trainer.conftest import (
    CONTENT,
    MOOD_LOW,
    answer,
    build_world,
    check,
    counting_queries,
    new_user,
    read,
)

EVERYTHING = {"date_from": date(2000, 1, 1), "date_to": date(2100, 1, 1)}


def _number(value: float | None) -> float | None:
    return None if value is None else round(float(value), 9)


def _rounded(value: Any) -> Any:
    """Floats rounded, wherever they are: sums of ratios differ in their last bits when the
    database adds them in another order."""
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _question(q: reporting.QuestionStats) -> tuple:
    return (
        q.id,
        q.version,
        q.current,
        q.answered,
        q.right,
        _number(q.facility),
        _number(q.discrimination),
        [(o.id, o.text, o.correct, o.count, o.in_place, o.most_chosen_wrong) for o in q.options],
        q.flags,
    )


def figures(report: reporting.CohortReport) -> dict[str, Any]:
    """Every figure of the report (the HTML pages' and the API's), as plain values."""
    return {
        "learners": [(x.id, x.name, x.email, x.active) for x in report.learners],
        "learner_count": report.learner_count,
        "not_started": report.not_started,
        "completed_all": report.completed_all,
        "modules": [(m.module.id, m.started, m.completed) for m in report.modules],
        "activity": report.activity,
        "quizzes": [
            {
                "id": q.quiz.id,
                "attempts": q.attempts,
                "learners": q.learners,
                "mean_best_score": _number(q.mean_best_score),
                "pass_rate": _number(q.pass_rate),
                "distribution": q.distribution,
                "questions": [_question(x) for x in q.questions],
                "older": [_question(x) for x in q.older],
            }
            for q in report.quizzes
        ],
    }


def assert_summaries_match_live(cohort_id: int) -> dict[str, Any]:
    summary = reporting.cohort_report(reporting.ReportFilter(cohort_id))
    live = reporting.cohort_report(reporting.ReportFilter(cohort_id, **EVERYTHING))
    assert figures(summary) == figures(live)
    as_json, live_json = report_json(summary), report_json(live)
    as_json.pop("filter"), live_json.pop("filter")
    assert _rounded(as_json) == _rounded(live_json)
    return figures(summary)


def snapshot(tables: tuple[Table, ...] = hooks.TABLES) -> dict[str, list[tuple]]:
    """Every row of the summary tables (floats to 9 places), without the cohort rows whose totals
    all came back to zero: to 9 places too, since a float sum that loses what it gained may keep
    a residue (1e-15, say) that the rebuild, which never added it, does not have."""
    found = {}
    for table in tables:
        keys = {c.name for c in table.primary_key.columns}
        rows = []
        for row in db.session.execute(select(table)).mappings():
            rounded = {k: round(v, 9) if isinstance(v, float) else v for k, v in row.items()}
            amounts = [v for k, v in rounded.items() if k not in keys]
            if table.name.startswith("cohort_") and not any(amounts):
                continue
            rows.append(tuple(rounded.values()))
        found[table.name] = sorted(rows, key=repr)
    return found


def test_the_hand_checked_world_reads_the_same_from_the_summaries(world):
    shown = assert_summaries_match_live(world.cohort.id)
    assert shown["not_started"] == 1
    assert shown["learner_count"] == 6


def test_summaries_follow_every_kind_of_change(small, request):
    world = build_world()
    cohort, now = world.cohort, world.now
    l1, l2, l3, l4, l5, l6 = world.learners
    other = cohorts.create_cohort(world.trainer, "Autumn")
    cohorts.join_cohort(l4, other.join_code)  # L4 is in two cohorts from now on
    assert_summaries_match_live(cohort.id)

    # Work done before joining is brought along; retakes move a learner's best score.
    l7 = new_user("L7 Learner")
    answer(l7, "check", check("b", "a", ["c"]), now - timedelta(days=40))
    read(l7, "intro", "l1", now - timedelta(days=40))
    cohorts.join_cohort(l7, cohort.join_code)
    answer(l7, "check", check("a", "a", ["a", "b"], q5="a"), now - timedelta(days=3))
    answer(l4, "check", check("a", "a", ["a", "b"], q5="a"), now - timedelta(days=1))
    answer(l6, "mood", MOOD_LOW, now - timedelta(days=1))
    read(l6, "second", "s1", now - timedelta(days=8))
    read(l4, "intro", "l1", now)
    read(l4, "intro", "l2", now)
    assert_summaries_match_live(cohort.id)
    assert_summaries_match_live(other.id)

    # Leaving, and becoming one of the cohort's trainers, take a learner out of the figures.
    cohorts.remove_learner(cohort, l2.id)
    accounts.set_role(db.session.get(User, l3.id), "trainer")
    cohorts.add_trainer(cohort, l3.email)
    cohorts.add_learners_by_email(other, [l2.email, l5.email])
    assert_summaries_match_live(cohort.id)
    assert_summaries_match_live(other.id)

    # A question edited since: new answers are on its new version, older ones counted apart.
    q1 = get_catalogue().quiz("check").question("q1")
    first_version = q1.version
    request.addfinalizer(lambda: setattr(q1, "_version", first_version))
    q1._version = "edited00edited00"
    answer(l6, "check", check("a", "b", ["a", "b"]), now)
    answer(l5, "check", check("a", "a", ["a", "b"]), now)
    shown = assert_summaries_match_live(cohort.id)
    check_quiz = next(q for q in shown["quizzes"] if q["id"] == "check")
    assert ("q1", "edited00edited00") in [q[:2] for q in check_quiz["questions"]]
    assert [q[:2] for q in check_quiz["older"]] == [("q1", first_version)]
    assert_summaries_match_live(other.id)

    # Deleted accounts: anonymised answers keep counting, removed ones stop.
    data_rights.delete_account(db.session.get(User, l1.id), "anonymise")
    data_rights.delete_account(db.session.get(User, l5.id), "remove")
    db.session.flush()
    shown = assert_summaries_match_live(cohort.id)
    assert "Deleted account" in [name for _, name, _, _ in shown["learners"]]
    assert_summaries_match_live(other.id)

    # The incremental totals are exactly what a rebuild from the raw rows gives.
    before = snapshot()
    hooks.rebuild(db.session.connection())
    assert snapshot() == before


def test_rebuild_gives_the_tables_the_hooks_keep(world):
    l1, l2, *_ = world.learners
    answer(l2, "mood", MOOD_LOW, world.now)
    read(l2, "second", "s1", world.now)
    cohorts.remove_learner(world.cohort, l1.id)
    before = snapshot()
    assert before["cohort_question"]
    assert before["learner_progress"]
    hooks.rebuild(db.session.connection())
    assert snapshot() == before
    assert_summaries_match_live(world.cohort.id)


def test_an_ordering_question_in_the_real_course(app, make, catalogue):
    """The real course has an ordering question: how often each step was put in its place."""
    quiz = next(
        q for q in catalogue.quizzes.values() if any(x.kind == "ordering" for x in q.questions)
    )
    trainer = make.user(role="trainer")
    learners = [make.user() for _ in range(4)]
    with app.app_context():
        cohort = cohorts.create_cohort(db.session.get(User, trainer.id), "Ordering")
        code = cohort.join_code
        cohort_id = cohort.id
        db.session.commit()
    for n, learner in enumerate(learners):
        api = Api(app.test_client(), make.token(learner))
        if n % 2:  # half of them join before answering, half after
            assert api.post("/cohorts/join", json={"code": code}).status_code in (200, 201)
        picks = wrong_answers(quiz) if n < 3 else right_answers(quiz)
        assert api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": picks}).status_code == 201
        api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": right_answers(quiz)})
        if not n % 2:
            assert api.post("/cohorts/join", json={"code": code}).status_code in (200, 201)
    with app.app_context():
        shown = assert_summaries_match_live(cohort_id)
    ordering = next(q for q in quiz.questions if q.kind == "ordering")
    (row,) = [x for q in shown["quizzes"] for x in q["questions"] if x[0] == ordering.id]
    assert row[3] == 4  # answered
    assert any(option[4] for option in row[7])  # in_place counted


def test_demo_seed_fills_the_summaries(app, ctx):
    result = seed_demo()
    shown = assert_summaries_match_live(result.cohort.id)
    assert shown["learner_count"] == 30
    assert sum(q["attempts"] for q in shown["quizzes"]) == result.attempts


def test_the_summaries_can_be_rebuilt_from_the_command_line(small, world):
    l1 = world.learners[0]
    db.session.execute(delete(LearnerQuiz).where(LearnerQuiz.user_id == l1.id))
    result = small.test_cli_runner().invoke(args=["cohorts", "rebuild-summaries"])
    assert result.exit_code == 0, result.output
    assert "Rebuilt" in result.output
    assert db.session.scalar(select(func.count()).where(LearnerQuiz.user_id == l1.id)) == 2
    assert_summaries_match_live(world.cohort.id)


def test_the_api_lists_every_learner_by_name(sclient, make, world):
    """The learners' JSON written by the database equals the one Python writes."""
    name = 'Ábel "Quoted\\" Ünicode – 名前'
    db.session.get(User, world.learners[2].id).name = name
    db.session.commit()
    api = Api(sclient, make.token(world.trainer))
    body = api.get(f"/cohorts/{world.cohort.id}/report").json
    live = reporting.cohort_report(reporting.ReportFilter(world.cohort.id, **EVERYTHING))
    expected = report_json(live)
    assert body["learners"] == expected["learners"]
    assert name in [x["name"] for x in body["learners"]]
    body.pop("filter"), expected.pop("filter")
    assert _rounded(body) == _rounded(expected)
    empty = cohorts.create_cohort(db.session.get(User, world.trainer.id), "Empty")
    db.session.commit()
    assert api.get(f"/cohorts/{empty.id}/report").json["learners"] == []


def test_a_module_that_gains_a_lesson_is_counted_by_its_new_rules_without_writing(
    small, world, tmp_path, database_url, caplog
):
    """L1 completed `second` (its only lesson); once the course gives it a second lesson, the
    report counts module progress live (right, and without writing) until the summaries are
    rebuilt from the command line; then it reads them again."""
    shutil.copytree(CONTENT, tmp_path, dirs_exist_ok=True)
    module = tmp_path / "modules" / "second.yaml"
    module.write_text(
        module.read_text().replace(
            "lessons:\n",
            "lessons:\n  - id: s0\n    title: A new first lesson\n    body: Added later.\n",
        )
    )
    cohort_id = world.cohort.id
    # As the migrations leave a database: the summaries and the modules they were judged by.
    assert small.test_cli_runner().invoke(args=["cohorts", "rebuild-summaries"]).exit_code == 0
    old_basis = reporting.progress_basis()
    before = assert_summaries_match_live(cohort_id)
    assert ("second", 1, 1) in before["modules"]
    progress_rows = snapshot()["cohort_progress"]

    changed = make_app(database_url, CONTENT_DIR=tmp_path)
    with sharing_the_test_transaction(changed, small), changed.app_context():
        caplog.clear()
        with counting_queries() as statements:
            after = assert_summaries_match_live(cohort_id)
        assert ("second", 1, 0) in after["modules"]
        writes = ("INSERT", "UPDATE", "DELETE")
        assert not [s for s in statements if s.lstrip().upper().startswith(writes)]
        assert "rebuild-summaries" in caplog.text
        assert db.session.scalar(select(SummaryState.value)) == old_basis
        assert snapshot()["cohort_progress"] == progress_rows  # nothing rewritten

        runner = changed.test_cli_runner()
        assert runner.invoke(args=["cohorts", "rebuild-summaries"]).exit_code == 0
        assert db.session.scalar(select(SummaryState.value)) == reporting.progress_basis()
        caplog.clear()
        assert assert_summaries_match_live(cohort_id) == after
        assert "rebuild-summaries" not in caplog.text
    with small.app_context():  # the old course again: counted by its rules once more
        assert assert_summaries_match_live(cohort_id) == before
