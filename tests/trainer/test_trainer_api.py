"""The cohort API: shapes, figures, joining, and 404 for everything the caller may not see."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import CohortMember
from tests.conftest import Api
from tests.trainer.conftest import World, new_user


@pytest.fixture
def trainer_api(sclient, make, world: World) -> Api:
    return Api(sclient, make.token(world.trainer))


def test_list_my_cohorts(trainer_api, world, sclient, make):
    body = trainer_api.get("/cohorts").json
    assert [(c["id"], c["name"], c["learners"], c["trainers"]) for c in body["cohorts"]] == [
        (world.cohort.id, "Spring", 6, 1)
    ]
    learner = Api(sclient, make.token(world.learners[0]))
    assert learner.get("/cohorts").json == {"cohorts": []}


def test_report_has_every_field_the_issue_names(trainer_api, world):
    response = trainer_api.get(f"/cohorts/{world.cohort.id}/report")
    assert response.status_code == 200
    body = response.json
    assert body["cohort"] == {"id": world.cohort.id, "name": "Spring"}
    assert [set(x) >= {"id", "name", "email"} for x in body["learners"]] == [True] * 6
    assert [(m["id"], m["started"], m["completed"]) for m in body["modules"]] == [
        ("intro", 5, 2),
        ("second", 1, 1),
    ]
    check = next(q for q in body["quizzes"] if q["id"] == "check")
    assert set(check) >= {"id", "attempts", "mean_best_score", "pass_rate", "questions"}
    assert (check["attempts"], check["pass_rate"]) == (7, 0.8)
    assert check["mean_best_score"] == pytest.approx(0.64)
    q1 = check["questions"][0]
    assert set(q1) >= {"id", "answered", "facility", "discrimination", "options"}
    assert (q1["id"], q1["answered"], q1["facility"]) == ("q1", 5, 0.6)
    assert q1["discrimination"] == pytest.approx(0.40825, abs=1e-4)
    assert q1["options"] == [
        {"id": "a", "count": 3},
        {"id": "b", "count": 2},
        {"id": "c", "count": 0},
    ]
    assert check["questions"][3]["discrimination"] is None
    mood = next(q for q in body["quizzes"] if q["id"] == "mood")
    assert (mood["attempts"], mood["mean_best_score"], mood["pass_rate"], mood["questions"]) == (
        3,
        None,
        None,
        [],
    )


def test_report_with_a_date_range(trainer_api, world):
    since = world.now.date().isoformat()
    body = trainer_api.get(f"/cohorts/{world.cohort.id}/report?from={since}").json
    assert body["filter"] == {"from": since, "to": None}
    assert all(q["attempts"] == 0 for q in body["quizzes"])
    bad = trainer_api.get(f"/cohorts/{world.cohort.id}/report?from=31/12/2024")
    assert bad.status_code == 400
    assert bad.json["error"]["code"] == "invalid_filter"


def test_a_query_parameter_an_address_does_not_take_is_a_400(trainer_api, world, sclient):
    """A misspelt `form=` would otherwise read as "no start date" and give the whole range."""
    since = world.now.date().isoformat()
    for url in (
        f"/cohorts/{world.cohort.id}/report?form={since}",
        f"/cohorts/{world.cohort.id}/answers.csv?from={since}&sort=name",
        "/modules?page=2",
    ):
        refused = trainer_api.get(url)
        assert refused.status_code == 400, url
        assert refused.json["error"]["code"] == "unknown_parameters"
        assert "This address takes:" in refused.json["error"]["message"]
    assert (
        "`form`"
        in trainer_api.get(f"/cohorts/{world.cohort.id}/report?form=x").json["error"]["message"]
    )
    assert (
        trainer_api.get(f"/cohorts/{world.cohort.id}/answers.csv?from={since}").status_code == 200
    )
    # The document says so for every operation.
    document = sclient.get("/api/v1/openapi.json").json
    for item in document["paths"].values():
        for operation in item.values():
            assert "400" in operation["responses"]


def test_one_learners_attempts(trainer_api, world):
    l4 = world.learners[3]
    body = trainer_api.get(f"/cohorts/{world.cohort.id}/learners/{l4.id}").json
    assert body["learner"]["id"] == l4.id
    assert [(a["quiz_id"], a["number"], a["score"]) for a in body["attempts"]] == [
        ("check", 2, 4),
        ("check", 1, 2),
    ]
    first = body["attempts"][1]
    assert first["seconds"] == 300
    assert first["answers"][0] == {
        "question_id": "q1",
        "question_version": first["answers"][0]["question_version"],
        "current_version": True,
        "selected": ["b"],
        "correct": False,
        "credit": 0.0,
    }
    assert first["retake_of"] is None


def test_csv_endpoints(trainer_api, world):
    learners = trainer_api.get(f"/cohorts/{world.cohort.id}/learners.csv")
    assert learners.status_code == 200
    assert learners.mimetype == "text/csv"
    assert learners.text.startswith("\ufefflearner_id,name,email")
    assert learners.text.count("\r\n") == 7
    answers = trainer_api.get(f"/cohorts/{world.cohort.id}/answers.csv")
    assert answers.is_streamed
    assert answers.text.count("\r\n") == 1 + 7 * 6 + 3 * 3
    answers.close()  # ends the streamed response's request context


def paths(world: World, outsider_id: int) -> list[str]:
    cohort = world.cohort.id
    return [
        f"/cohorts/{cohort}/report",
        f"/cohorts/{cohort}/learners/{world.learners[0].id}",
        f"/cohorts/{cohort}/learners.csv",
        f"/cohorts/{cohort}/answers.csv",
        f"/cohorts/{cohort}/learners/{outsider_id}",
        f"/cohorts/{cohort + 1000}/report",
    ]


@pytest.mark.parametrize("who", ["learner", "other trainer", "learner in the cohort"])
def test_others_get_404_for_everything(sclient, make, world, who):
    other = (
        new_user("Other Trainer", "trainer")
        if who == "other trainer"
        else new_user("Lou", "learner")
    )
    if who == "learner in the cohort":
        other = world.learners[0]
    db.session.commit()
    api = Api(sclient, make.token(other))
    for path in paths(world, other.id):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json["error"]["code"] == "not_found"


def test_a_trainer_cannot_see_someone_outside_the_cohort(trainer_api, world):
    stranger = new_user("Stranger", "learner")
    db.session.commit()
    assert trainer_api.get(f"/cohorts/{world.cohort.id}/learners/{stranger.id}").status_code == 404
    assert (
        trainer_api.get(f"/cohorts/{world.cohort.id}/learners/{world.trainer.id}").status_code
        == 404
    )


def test_an_admin_sees_every_cohort(sclient, make, world):
    admin = new_user("Ada Admin", "admin")
    db.session.commit()
    api = Api(sclient, make.token(admin))
    assert [c["id"] for c in api.get("/cohorts").json["cohorts"]] == [world.cohort.id]
    for path in paths(world, admin.id)[:4]:
        response = api.get(path)
        assert response.status_code == 200, path
        response.close()  # a streamed CSV keeps its request context until it is closed


def test_a_demoted_trainer_loses_access(sclient, make, world):
    world.trainer.role = "learner"
    db.session.commit()
    api = Api(sclient, make.token(world.trainer))
    assert api.get(f"/cohorts/{world.cohort.id}/report").status_code == 404
    assert api.get("/cohorts").json == {"cohorts": []}


def test_join_with_a_code(sclient, make, world):
    newcomer = new_user("Nia Newcomer")
    db.session.commit()
    api = Api(sclient, make.token(newcomer))
    code = world.cohort.join_code.lower()
    response = api.post("/cohorts/join", json={"code": f" {code[:4]}-{code[4:]} "})
    assert response.status_code == 201
    assert response.json == {"cohort": {"id": world.cohort.id, "name": "Spring"}, "joined": True}
    again = api.post("/cohorts/join", json={"code": world.cohort.join_code})
    assert (again.status_code, again.json["joined"]) == (200, False)
    member = db.session.get(CohortMember, (world.cohort.id, newcomer.id))
    assert member.role == "learner"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"code": "NOSUCHCODE"}, 404),
        ({"code": ""}, 422),
        ({"code": 12345678}, 422),
        ({}, 422),
        ({"code": "X", "role": "trainer"}, 422),
        ([], 400),
    ],
)
def test_join_refuses_bad_bodies(sclient, make, world, body, status):
    api = Api(sclient, make.token(world.learners[5]))
    response = api.post("/cohorts/join", json=body)
    assert response.status_code == status
    assert "error" in response.json


def test_openapi_lists_the_cohort_paths(sclient):
    paths = sclient.get("/api/v1/openapi.json").json["paths"]
    for path in ("/cohorts", "/cohorts/{cohort_id}/report", "/cohorts/join",
                 "/cohorts/{cohort_id}/learners/{user_id}", "/cohorts/{cohort_id}/answers.csv",
                 "/cohorts/{cohort_id}/codebook.csv", "/cohorts/{cohort_id}/invitations",
                 "/cohorts/{cohort_id}/invitations/{invitation_id}"):  # fmt: skip
        assert path in paths
