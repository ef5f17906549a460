"""Decisions on changed content in the JSON API: the footnotes of the cohort report, and the
administrators' list of every decision (GET /api/v1/content/decisions)."""

from __future__ import annotations

from app.content import load_catalogue
from tests.conftest import Api
from tests.trainer.conftest import World, new_user
from tests.trainer.test_content_impact import KEY_CHANGED, decide, edited
from tests.trainer.test_learning_gain import conforms


def test_decisions_are_footnotes_of_the_report_and_listed_for_admins(
    small, sclient, world: World, make, tmp_path
):
    folder = edited(tmp_path, KEY_CHANGED)
    admin = new_user("Ada Admin", "admin")
    trainer = Api(sclient, make.token(world.trainer))
    admins = Api(sclient, make.token(admin))
    result = decide(small, folder, "check/q2", "--rescore", "--force", "--by", admin.email)
    assert result.exit_code == 0, result.output
    report = trainer.get(f"/cohorts/{world.cohort.id}/report").json
    (note,) = report["decisions"]
    assert note == {
        **note,
        "question": "check/q2",
        "quiz_id": "check",
        "question_id": "q2",
        "decision": "rescore",
        "says": "answers to older versions were re-graded with today's key",
        "by": "Ada Admin",
        "answers": 7,
        # Every attempt changes: q2 flips in all seven (see test_content_impact.py).
        "attempts_changed": 7,
        "forced": True,
        "reverted_at": None,
    }
    edited_course = load_catalogue(folder)  # the content decided against: its versions
    assert note["content_version"] == edited_course.version
    assert note["question_version"] == edited_course.quiz("check").question("q2").version
    assert note["decided_at"].endswith("Z")
    conforms(sclient, "/cohorts/{cohort_id}/report", report)
    listed = admins.get("/content/decisions").json
    assert listed == {"decisions": [note]}
    conforms(sclient, "/content/decisions", listed)
    assert trainer.get("/content/decisions").status_code == 404

    assert decide(small, folder, "check/q2", "--revert").exit_code == 0
    assert trainer.get(f"/cohorts/{world.cohort.id}/report").json["decisions"] == []
    (reverted,) = admins.get("/content/decisions").json["decisions"]
    assert reverted["reverted_at"] is not None
    assert {**reverted, "reverted_at": None} == note
