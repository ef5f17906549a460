"""The learner drill-down (issue 12, item 11): a summary first, attempts folded below, and the
previous and next learner; the page and GET /api/v1/cohorts/{id}/learners/{id} tell the same."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select, update

from app.extensions import db
from app.models import Attempt
from app.services import cohorts
from tests.trainer.conftest import api_for, log_in, new_user


def _page(sclient, world, learner) -> str:
    response = sclient.get(f"/trainer/cohorts/{world.cohort.id}/learners/{learner.id}")
    assert response.status_code == 200
    return response.text


def _summary(html: str) -> str:
    """The summary section's text, tags removed, spaces joined."""
    section = html.split('class="panel learner-summary"', 1)[1].split("</section>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", section).split())


def test_the_page_starts_with_a_summary_of_the_learner(sclient, world):
    log_in(sclient, world.trainer)
    html = _page(sclient, world, world.learners[0])  # L1: read every lesson, passed `check`
    summary = _summary(html)
    assert "3 of 3 lessons read" in summary
    assert "2 of 2 modules completed" in summary
    assert "1 of 1 graded quizzes passed" in summary
    assert "Check 4 of 5 ✓ passed" in summary
    assert "Trust formula Trust score 100 of 100" in summary, "cohort wording, not “Your …”"
    assert "Style People" in summary
    assert "No certificate" in summary
    assert html.index("learner-summary") < html.index('<details class="panel attempt">')


def test_attempts_are_folded_newest_first_with_the_options_as_shown(sclient, world):
    log_in(sclient, world.trainer)
    with db.session.begin_nested():  # L4's second attempt retook the first one's missed questions
        first, second = db.session.scalars(
            select(Attempt.id).where(Attempt.user_id == world.learners[3].id).order_by(Attempt.id)
        ).all()
        db.session.execute(update(Attempt).where(Attempt.id == second).values(retake_of_id=first))
    html = _page(sclient, world, world.learners[3])
    folded = re.findall(r'<details class="panel attempt">\s*<summary>(.*?)</summary>', html, re.S)
    facts = [" ".join(re.sub(r"<[^>]+>", " ", f).split()) for f in folded]
    assert len(facts) == 2
    assert '<details class="panel attempt" open' not in html, "collapsed: works without JS"
    assert facts[0].startswith("Check · attempt 2")
    assert "4 of 5" in facts[0]
    assert "retake of missed questions" in facts[0]
    assert facts[1].startswith("Check · attempt 1")
    assert "2 of 5" in facts[1]
    assert "not passed" in facts[1]
    assert "retake" not in facts[1]
    # Inside, each answer lists the options in the order shown, the chosen one marked.
    assert '<li class="chosen">=HYPERLINK(tempting) <span class="tag">chosen</span></li>' in html


def test_a_fractional_best_score_reads_as_elsewhere(sclient, world, make):
    log_in(sclient, world.trainer)
    l2 = world.learners[1]
    with db.session.begin_nested():
        db.session.execute(update(Attempt).where(Attempt.user_id == l2.id, Attempt.quiz_id == "check").values(score=3.5))  # fmt: skip
    assert "Check 3.5 of 5 ✓ passed" in _summary(_page(sclient, world, l2))
    body = api_for(sclient, make, world.trainer).get(f"/cohorts/{world.cohort.id}/learners/{l2.id}").json  # fmt: skip
    assert body["summary"]["quizzes"] == [
        {"id": "check", "attempts": 1, "best_score": 3.5, "max_score": 5, "passed": True}
    ]


def test_previous_and_next_follow_the_cohorts_order_by_name(sclient, world):
    with db.session.begin_nested():
        early = new_user("aa lowercase")  # first by name whatever the case, on every database
        cohorts.join_cohort(early, world.cohort.join_code)
    log_in(sclient, world.trainer)
    order = [early, *world.learners]
    for index, learner in enumerate(order):
        html = _page(sclient, world, learner)
        prev = re.findall(r'rel="prev" href="[^"]*/learners/(\d+)', html)
        nxt = re.findall(r'rel="next" href="[^"]*/learners/(\d+)', html)
        assert prev == ([str(order[index - 1].id)] if index else [])
        assert nxt == ([str(order[index + 1].id)] if index + 1 < len(order) else [])
        assert f"Learner {index + 1} of {len(order)}" in html
    kept = _page_with_range(sclient, world, world.learners[0], "from=2020-01-01")
    assert re.search(r'rel="next" href="[^"]*/learners/\d+\?from=2020-01-01"', kept)


def _page_with_range(sclient, world, learner, args: str) -> str:
    url = f"/trainer/cohorts/{world.cohort.id}/learners/{learner.id}?{args}"
    response = sclient.get(url)
    assert response.status_code == 200
    return response.text


def test_an_empty_range_gives_an_empty_summary(sclient, world):
    log_in(sclient, world.trainer)
    html = _page_with_range(sclient, world, world.learners[0], "from=2999-01-01")
    summary = _summary(html)
    assert "0 of 3 lessons read" in summary
    assert "Check not taken" in summary
    assert "No self-assessment taken since joining the cohort in this range" in summary
    assert "No quiz submitted since joining the cohort in this range" in html


def test_the_api_summary_agrees_with_the_page_and_learners_csv(sclient, world, make):
    api = api_for(sclient, make, world.trainer)
    cid = world.cohort.id
    text = api.get(f"/cohorts/{cid}/learners.csv").text.lstrip("\ufeff")
    rows = {int(r["learner_id"]): r for r in csv.DictReader(io.StringIO(text))}
    for learner in world.learners:
        body = api.get(f"/cohorts/{cid}/learners/{learner.id}").json
        summary, row = body["summary"], rows[learner.id]
        assert summary["lessons_read"] == int(row["intro: lessons read"]) + int(row["second: lessons read"])  # fmt: skip
        assert summary["lessons"] == 3
        assert len(summary["modules_completed"]) == int(row["modules_completed"])
        (check,) = summary["quizzes"]
        assert check["attempts"] == int(row["check: attempts"])
        best = row["check: best score"]
        assert check["best_score"] == (float(best) if best else None)
        profiles = {(p["quiz_id"], p["result"]["id"]): p["result"] for p in summary["profiles"]}
        trust = profiles.get(("mood", "trust"))
        assert ("" if trust is None else str(trust["trust"])) == row["mood: trust"]
        style = profiles.get(("check", "style"))
        labels = " | ".join(t["label"] for t in style["traits"]) if style else ""
        assert labels == row["check: style"]
    l1 = api.get(f"/cohorts/{cid}/learners/{world.learners[0].id}").json["summary"]
    assert l1["previous_learner_id"] is None
    assert l1["next_learner_id"] == world.learners[1].id
    assert l1["certificate"] is None
