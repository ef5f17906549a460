"""Learning gain per concept, worked out by hand on a small cohort of the shipped course.

Pre-test `trust-formula-pre-test` tests accountability with one question (pre-accountability);
the quiz `trust-formula-check` with three (unclear-client, florist-mistake, plumber-new-client).

            pre (before)     post (after)
    L1      right   100      3 of 3   100
    L2      wrong     0      2 of 3    66.7
    L3      wrong     0      3 of 3   100
    L4      wrong     0      1 of 3    33.3
    L5      right   100      3 of 3   100
    mean             40                80        ⟨g⟩ = (80 − 40) / (100 − 40) = 2/3
L6 took only the quiz, L7 the pre-test after the quiz: neither counts.
Care (pre-care; five questions after): everyone right before → ⟨g⟩ cannot be computed.
"""

from __future__ import annotations

from datetime import timedelta

import jsonschema_rs
import pytest

from app.extensions import db
from app.models import utcnow
from app.services import cohorts, reporting
from tests.conftest import Api, right_answers, wrong_answers
from tests.trainer.conftest import answer, log_in, new_user
from tests.trainer.test_summaries import EVERYTHING

PRE, POST = "trust-formula-pre-test", "trust-formula-check"
ACCOUNTABILITY_AFTER = ["unclear-client", "florist-mistake", "plumber-new-client"]


def picks(quiz, wrong: list[str]) -> dict[str, list[str]]:
    right, bad = right_answers(quiz), wrong_answers(quiz)
    return {q: (bad[q] if q in wrong else right[q]) for q in right}


@pytest.fixture
def cohort(app, ctx, catalogue):
    pre, post = catalogue.quiz(PRE), catalogue.quiz(POST)
    now = utcnow().replace(microsecond=0)
    trainer = new_user("Gail Trainer", "trainer")
    group = cohorts.create_cohort(trainer, "Gain")
    learners = []
    plan = {  # learner: (pre-accountability right?, accountability questions wrong after)
        1: (True, []),
        2: (False, ["florist-mistake"]),
        3: (False, []),
        4: (False, ["unclear-client", "plumber-new-client"]),
        5: (True, []),
    }
    for n, (right_before, wrong_after) in plan.items():
        user = new_user(f"G{n} Learner")
        learners.append(user)
        cohorts.join_cohort(user, group.join_code)
        before = [] if right_before else ["pre-accountability"]
        answer(user, PRE, picks(pre, before), now - timedelta(days=2))
        answer(user, POST, picks(post, wrong_after), now - timedelta(days=1))
        answer(user, POST, picks(post, []), now)  # a retake: only the first attempt counts
    only_after, too_late = new_user("G6 Learner"), new_user("G7 Learner")
    for user in (only_after, too_late):
        cohorts.join_cohort(user, group.join_code)
        answer(user, POST, picks(post, ACCOUNTABILITY_AFTER), now - timedelta(days=1))
    answer(too_late, PRE, picks(pre, []), now)
    db.session.commit()
    return group, trainer, learners


def by_concept(cohort_id: int) -> dict[str, reporting.ConceptGain]:
    return {g.concept_id: g for g in reporting.learning_gain(reporting.ReportFilter(cohort_id))}


def test_gain_per_concept_by_hand(cohort):
    gains = by_concept(cohort[0].id)
    accountability = gains["accountability"]
    assert accountability.learners == 5
    assert accountability.pre == pytest.approx(40)
    assert accountability.post == pytest.approx(80)
    assert accountability.gain == pytest.approx(2 / 3)
    assert not accountability.too_few
    care = gains["care"]
    assert (care.learners, care.pre, care.post, care.gain) == (5, 100, 100, None)
    # Only the concepts a pre-test checks have a before; nobody took the five-steps one.
    assert set(gains) == {
        *("trust", "care", "accountability", "communication"),
        *("needs", "five-steps", "three-keys", "image-of-service"),
    }
    assert gains["needs"].learners == 0
    assert gains["needs"].too_few


def test_the_open_range_and_a_range_holding_everything_agree(cohort):
    everything = reporting.ReportFilter(cohort[0].id, **EVERYTHING)
    assert reporting.learning_gain(everything) == reporting.learning_gain(
        reporting.ReportFilter(cohort[0].id)
    )
    # A range that ends before the quiz leaves no learner with both.
    before = reporting.ReportFilter(cohort[0].id, date_to=utcnow().date() - timedelta(days=2))
    assert {g.learners for g in reporting.learning_gain(before)} == {0}


def test_the_overview_shows_the_gain_and_warns_below_the_minimum(app, cohort, client):
    group, trainer, learners = cohort
    log_in(client, trainer)
    page = client.get(f"/trainer/cohorts/{group.id}")
    assert "Learning gain per concept" in page.text
    assert "0.67" in page.text
    assert "40%" in page.text
    assert "80%" in page.text
    assert "too few learners to read (n = 5)" not in page.text
    assert "too few learners to read (n = 0)" in page.text  # the five-steps concepts
    small = cohorts.create_cohort(trainer, "Pair")
    for user in learners[:2]:
        cohorts.join_cohort(user, small.join_code)
    db.session.commit()
    page = client.get(f"/trainer/cohorts/{small.id}")
    assert "too few learners to read (n = 2)" in page.text


# ------------------------------------------------------------------------------ the JSON API


def conforms(client, path: str, body: dict) -> None:
    """`body` is what the OpenAPI document promises for GET `path` (its 200 answer)."""
    document = client.get("/api/v1/openapi.json").json
    schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    root = {**schema["schema"], "components": document["components"]}
    jsonschema_rs.Draft202012Validator(root).validate(body)


def test_the_api_report_has_the_gain_per_concept(cohort, client, make):
    group, trainer, _ = cohort
    body = Api(client, make.token(trainer)).get(f"/cohorts/{group.id}/report").json
    gains = {g["concept_id"]: g for g in body["learning_gain"]}
    accountability = gains["accountability"]
    assert accountability["gain"] == pytest.approx(2 / 3)
    assert accountability == {
        "concept_id": "accountability",
        "title": "Accountability",
        "lesson": "trust-formula/accountability",
        "pre_percent": pytest.approx(40),
        "post_percent": pytest.approx(80),
        "gain": accountability["gain"],
        "learners": 5,
        "too_small": False,
    }
    assert (gains["care"]["pre_percent"], gains["care"]["gain"]) == (100, None)
    assert gains["needs"] == {**gains["needs"], "learners": 0, "too_small": True}
    assert gains["needs"]["pre_percent"] is None
    assert body["decisions"] == []
    conforms(client, "/cohorts/{cohort_id}/report", body)


def test_the_module_lists_its_pre_test_taken_or_not(cohort, client, make):
    _, _, learners = cohort
    newcomer = new_user("G8 Learner")
    db.session.commit()
    for user, taken in ((learners[1], True), (newcomer, False)):
        body = Api(client, make.token(user)).get("/modules").json
        module = next(m for m in body["modules"] if m["id"] == "trust-formula")
        assert module["pre_tests"] == [
            {
                "id": PRE,
                "title": "Before you start, what do you already know about trust?",
                "pre_test_of": POST,
                "questions": 4,
                "taken": taken,
                "skippable": True,
            }
        ]
        assert [p["id"] for m in body["modules"] for p in m["pre_tests"]] == [
            PRE,
            "five-steps-pre-test",
        ]
        conforms(client, "/modules", body)
    quiz = Api(client, make.token(newcomer)).get(f"/quizzes/{PRE}").json
    assert (quiz["pre_test_of"], quiz["pass_mark"]) == (POST, None)
    conforms(client, "/quizzes/{quiz_id}", quiz)
    assert Api(client, make.token(newcomer)).get(f"/quizzes/{POST}").json["pre_test_of"] is None


def test_an_attempt_says_the_result_per_concept(cohort, client, make, catalogue):
    """G4's first attempt at the quiz: wrong on unclear-client and plumber-new-client.
    trust: anna-upset, doctor-trust, sign-of-trust 3/3; trust-formula: formula-exponent,
    designer-late 2/2; care: aspects-of-care, mutual-understanding, you-are-the-product,
    designer-late, coach-first-meeting 5/5; accountability: unclear-client ✗, florist-mistake,
    plumber-new-client ✗ 1/3 (revisit); communication: words-share, superpowers,
    plumber-new-client ✗ 2/3 (strong: two thirds)."""
    _, _, learners = cohort
    g4 = learners[3]
    api = Api(client, make.token(g4))
    first = min(a["id"] for a in api.get("/me/progress").json["attempts"] if a["quiz_id"] == POST)
    body = api.get(f"/attempts/{first}").json
    assert [(c["id"], c["right"], c["answered"], c["strong"]) for c in body["concepts"]] == [
        ("trust", 3, 3, True),
        ("trust-formula", 2, 2, True),
        ("care", 5, 5, True),
        ("accountability", 1, 3, False),
        ("communication", 2, 3, True),
    ]
    assert body["concepts"][3]["lesson"] == {
        "module_id": "trust-formula",
        "lesson_id": "accountability",
        "title": catalogue.module("trust-formula").lesson("accountability").title,
    }
    # Submitting through the API answers with it too: the pre-test, all right.
    submitted = api.post(
        f"/quizzes/{PRE}/attempts", json={"answers": picks(catalogue.quiz(PRE), [])}
    )
    assert submitted.status_code == 201
    assert [(c["id"], c["right"], c["answered"]) for c in submitted.json["concepts"]] == [
        ("trust", 1, 1),
        ("care", 1, 1),
        ("accountability", 1, 1),
        ("communication", 1, 1),
    ]
