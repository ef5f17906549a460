"""CSV exports: safe in a spreadsheet, UTF-8, one row per learner or per answer."""

from __future__ import annotations

import csv
import io

import pytest

from app.services import exports, reporting


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
