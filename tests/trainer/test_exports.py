"""CSV exports: safe in a spreadsheet, UTF-8, one row per learner or per answer."""

from __future__ import annotations

import csv
import io

import pytest

from app.services import exports, reporting
from app.services.catalogue import get_catalogue
from tests.trainer.conftest import api_for, log_in


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+33 1 23", "'+33 1 23"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tindent", "'\tindent"),
        ("\rreturn", "'\rreturn"),
        ("plain = fine", "plain = fine"),
        ("Zoë", "Zoë"),
        (None, ""),
        (True, "yes"),
        (False, "no"),
        (-3, -3),
        (0.5, 0.5),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_neutralised(value, written):
    assert exports.safe_cell(value) == written


def test_csv_lines_start_with_a_bom_and_quote_properly():
    text = "".join(exports.csv_lines(["a", "b"], [["=1", 'say "hi", then go'], [None, 2]]))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["a", "b"], ["'=1", 'say "hi", then go'], ["", "2"]]


def parse(lines) -> list[dict]:
    return list(csv.DictReader(io.StringIO("".join(lines).lstrip("\ufeff"))))


def test_learners_csv(world):
    world.learners[0].name = "=Evil Name"
    rows = parse(exports.learners_csv(reporting.ReportFilter(world.cohort.id)))
    assert len(rows) == 6
    by_email = {r["email"]: r for r in rows}
    l1 = by_email[world.learners[0].email]
    assert l1["name"] == "'=Evil Name"
    assert (l1["intro: lessons read"], l1["intro: completed"], l1["modules_completed"]) == (
        "2",
        "yes",
        "2",
    )
    l4 = by_email[world.learners[3].email]
    assert (
        l4["check: attempts"],
        l4["check: best score"],
        l4["check: max score"],
        l4["check: passed"],
    ) == ("2", "4", "5", "yes")
    l6 = by_email[world.learners[5].email]
    assert (l6["check: attempts"], l6["check: best score"], l6["last_activity"]) == ("0", "", "")


def test_answers_csv(world):
    rows = parse(exports.answers_csv(reporting.ReportFilter(world.cohort.id)))
    assert len(rows) == 7 * 6 + 3 * 3
    l4_q1 = [r for r in rows if r["email"] == world.learners[3].email and r["question_id"] == "q1"]
    assert [(r["chosen_option_ids"], r["chosen_option_texts"], r["correct"]) for r in l4_q1] == [
        ("b", "'=HYPERLINK(tempting)", "no"),
        ("a", "Right one", "yes"),
    ]
    profile = next(r for r in rows if r["question_id"] == "p1")
    assert profile["correct"] == ""
    assert all(r["current_version"] == "yes" for r in rows)
    assert l4_q1[0]["submitted_at"].endswith("Z")


# learners.csv's columns before issue 12: other tools read them by place, so they stay first.
FIRST_COLUMNS = [
    "learner_id", "name", "email", "active", "joined_at", "last_activity", "modules_completed",
    "certificate_issued_at", "certificate_code", "certificate_revoked",
    "intro: lessons read", "intro: completed", "second: lessons read", "second: completed",
    "check: attempts", "check: best score", "check: max score", "check: passed",
    "mood: attempts",
]  # fmt: skip
PROFILE_COLUMNS = [
    "check: style",
    "mood: trust",
    "mood: trust: care",
    "mood: trust: accountability",
    "mood: trust: communication",
]


def _csv(client, url: str) -> tuple[list[str], list[dict]]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    return header, parse([text])


def test_learners_csv_ends_with_the_self_assessment_results(sclient, world):
    log_in(sclient, world.trainer)
    header, rows = _csv(sclient, f"/trainer/cohorts/{world.cohort.id}/export/learners.csv")
    assert header == FIRST_COLUMNS + PROFILE_COLUMNS, "old columns first, in their order"
    by_name = {r["name"]: r for r in rows}
    l1, l2, l3, l6 = (by_name[f"L{n} Learner"] for n in (1, 2, 3, 6))
    assert [l1[c] for c in PROFILE_COLUMNS] == ["People", "100", "10", "10", "10"]
    assert l2["check: style"] == "Things"
    assert [l3[c] for c in PROFILE_COLUMNS[1:]] == ["0", "1", "1", "10"]
    assert [l6[c] for c in PROFILE_COLUMNS] == ["", "", "", "", ""], "blank when not taken"


def test_the_codebook_explains_every_column_and_id(sclient, world, small):
    log_in(sclient, world.trainer)
    cid = world.cohort.id
    header, rows = _csv(sclient, f"/trainer/cohorts/{cid}/export/codebook.csv")
    assert header == ["kind", "file", "id", "meaning", "quiz_id", "question_id", "version"]
    learners_header, _ = _csv(sclient, f"/trainer/cohorts/{cid}/export/learners.csv")
    answers_header, _ = _csv(sclient, f"/trainer/cohorts/{cid}/export/answers.csv")
    for file, columns in (("learners.csv", learners_header), ("answers.csv", answers_header)):
        explained = [r["id"] for r in rows if r["kind"] == "column" and r["file"] == file]
        assert explained == columns, f"every column of {file}, in order"
    assert all(r["meaning"] for r in rows), "every entry has a meaning in words"
    by_key = {(r["kind"], r["quiz_id"], r["question_id"], r["id"]): r for r in rows}
    with small.app_context():
        catalogue = get_catalogue()
        check = catalogue.quiz("check")
        question = check.question("q1")
        (content,) = [r for r in rows if r["kind"] == "content"]
        assert content["version"] == catalogue.version
        q1 = by_key[("question", "check", "q1", "q1")]
        assert (q1["meaning"], q1["version"]) == ("Question one", question.version)
        assert by_key[("option", "check", "q1", "a")]["meaning"] == "Right one"
        assert by_key[("quiz", "check", "", "check")]["version"] == check.version
    assert by_key[("option", "check", "q1", "b")]["meaning"] == "'=HYPERLINK(tempting)"
    trust = next(r for r in rows if r["id"] == "mood: trust")
    assert "trust score, 0 to 100" in trust["meaning"]
    overview = sclient.get(f"/trainer/cohorts/{cid}").text
    assert f"/trainer/cohorts/{cid}/export/codebook.csv" in overview, "linked with the others"


def test_the_api_gives_the_codebook_to_the_cohorts_trainers_only(sclient, world, make):
    trainer = api_for(sclient, make, world.trainer)
    response = trainer.get(f"/cohorts/{world.cohort.id}/codebook.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('-codebook.csv"')
    outsider = api_for(sclient, make, world.learners[0])
    assert outsider.get(f"/cohorts/{world.cohort.id}/codebook.csv").status_code == 404
