"""API v1 for learners: modules, lessons, quizzes, attempts and progress."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, Attempt, LessonRead
from tests.conftest import right_answers, wrong_answers


def count_rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def first_quiz_of_kind(catalogue, kind: str):
    return next(q for q in catalogue.quizzes.values() if any(x.kind == kind for x in q.questions))


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/modules"),
        ("get", "/api/v1/me/progress"),
        ("get", "/api/v1/quizzes/any"),
        ("post", "/api/v1/quizzes/any/attempts"),
        ("get", "/api/v1/attempts/1"),
        ("get", "/api/v1/me/tokens"),
    ],
)
def test_every_endpoint_needs_a_bearer_token(client, auth, learner, method, url):
    auth.login(learner.email)  # a browser session does not authenticate the API
    for headers in ({}, {"Authorization": "Bearer rpt_not-a-token"}, {"Authorization": "Basic x"}):
        response = getattr(client, method)(url, headers=headers)
        assert response.status_code == 401
        assert response.json["error"]["code"] == "unauthorized"


def test_openapi_document_is_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json["openapi"].startswith("3.")
    assert "/quizzes/{quiz_id}/attempts" in response.json["paths"]


def test_modules_list_the_course_with_progress(api, catalogue):
    body = api.get("/modules").json
    assert [m["id"] for m in body["modules"]] == [m.id for m in catalogue.modules]
    first = body["modules"][0]
    assert set(first) >= {"id", "title", "lessons", "quizzes", "progress"}
    assert all(lesson["completed"] is False for lesson in first["lessons"])
    assert first["progress"] == {
        "lessons_completed": 0,
        "lessons_total": len(catalogue.modules[0].lessons),
        "completed": False,
        "percent": 0,
    }
    for quiz in first["quizzes"]:
        assert quiz["kind"] in ("graded", "self-assessment")
        assert quiz["best_score"] is None
        assert quiz["passed"] is None


def test_reading_a_lesson_records_it_once(api, app, catalogue):
    module = catalogue.modules[0]
    lesson = module.lessons[0]
    response = api.get(f"/modules/{module.id}/lessons/{lesson.id}")
    assert response.status_code == 200
    body = response.json
    assert body["id"] == lesson.id
    assert body["title"] == lesson.title
    assert body["previous"] is None
    assert body["next"] == module.lessons[1].id
    assert "<" in body["html"]
    api.get(f"/modules/{module.id}/lessons/{lesson.id}")
    assert count_rows(app, LessonRead) == 1
    listed = api.get("/modules").json["modules"][0]
    assert listed["lessons"][0]["completed"] is True
    assert listed["progress"]["lessons_completed"] == 1


@pytest.mark.parametrize(
    "url", ["/modules/nope/lessons/x", "/quizzes/nope", "/attempts/999999", "/no/such/route"]
)
def test_unknown_things_are_404_json(api, catalogue, url):
    response = api.get(url)
    assert response.status_code == 404
    assert set(response.json["error"]) == {"code", "message"}


def test_unknown_lesson_of_a_known_module_is_404(api, catalogue):
    assert api.get(f"/modules/{catalogue.modules[0].id}/lessons/nope").status_code == 404


def test_a_quiz_never_reveals_its_answers(api, catalogue):
    for quiz in catalogue.quizzes.values():
        body = api.get(f"/quizzes/{quiz.id}").json
        assert body["id"] == quiz.id
        assert body["kind"] == quiz.kind
        assert body["pass_mark"] == quiz.pass_mark
        assert set(body) == {
            "id", "title", "kind", "pass_mark", "module_id", "questions", "feedback", "review",
            "attempt_number", "pre_test_of",
        }  # fmt: skip
        for question in body["questions"]:
            assert set(question) == {"id", "kind", "prompt", "options", "shuffle", "scoring"}
            assert all(set(option) == {"id", "text"} for option in question["options"])
            source = quiz.question(question["id"])
            if source.kind == "ordering":
                assert [o["id"] for o in question["options"]] != source.correct_order


def test_right_answers_pass_every_graded_quiz(api, catalogue):
    for quiz in catalogue.quizzes.values():
        response = api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": right_answers(quiz)})
        assert response.status_code == 201, response.json
        body = response.json
        assert body["score"] == body["max_score"] == quiz.max_score
        assert body["passed"] is (True if quiz.is_graded else None)
        for entry in body["questions"]:
            question = quiz.question(entry["id"])
            assert entry["explanation"] == question.explanation
            if question.kind == "profile":
                assert entry["correct"] is None
                assert entry["correct_option_ids"] == []
            else:
                assert entry["correct"] is True
        assert isinstance(body["profile"], list)
        assert len(body["profile"]) == len(quiz.profiles)


def test_wrong_answers_score_zero_and_fail(api, catalogue):
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    body = api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": wrong_answers(quiz)}).json
    assert body["score"] == 0
    assert body["passed"] is False
    graded = [e for e in body["questions"] if quiz.question(e["id"]).graded]
    assert all(e["correct"] is False for e in graded)
    # Not passed yet: the right options stay hidden (review: after_pass).
    assert quiz.review_policy == "after_pass"
    assert all(e["correct_option_ids"] is None for e in graded)


@pytest.mark.parametrize("kind", ["single", "multiple", "ordering"])
def test_scoring_of_each_graded_kind(api, catalogue, kind):
    quiz = first_quiz_of_kind(catalogue, kind)
    question = next(q for q in quiz.questions if q.kind == kind)
    answers = right_answers(quiz)
    right = api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": answers}).json
    assert next(e for e in right["questions"] if e["id"] == question.id)["correct"] is True

    if kind == "single":
        answers[question.id] = [next(o.id for o in question.options if not o.correct)]
    elif kind == "multiple":  # all or nothing: one right option missing is wrong
        answers[question.id] = question.correct_option_ids[:-1]
    else:  # two neighbours swapped is a wrong order
        order = list(question.correct_order)
        order[0], order[1] = order[1], order[0]
        answers[question.id] = order
    wrong = api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": answers}).json
    entry = next(e for e in wrong["questions"] if e["id"] == question.id)
    assert entry["correct"] is False
    assert entry["correct_option_ids"] == question.correct_option_ids
    if question.scoring == "partial":  # one right tick of k missing: 1/k less
        lost = 1 / len(question.correct_option_ids)
        assert entry["credit"] == pytest.approx(1 - lost)
        assert wrong["score"] == pytest.approx(right["score"] - lost)
    else:
        assert wrong["score"] == right["score"] - 1


def test_multiple_with_an_extra_wrong_option_is_wrong(api, catalogue):
    quiz = first_quiz_of_kind(catalogue, "multiple")
    question = next(q for q in quiz.questions if q.kind == "multiple")
    answers = right_answers(quiz)
    answers[question.id] = question.option_ids  # every option ticked
    body = api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": answers}).json
    assert next(e for e in body["questions"] if e["id"] == question.id)["correct"] is False


def test_profile_questions_count_in_neither_score_nor_max(api, catalogue):
    quiz = next(
        q
        for q in catalogue.quizzes.values()
        if q.is_graded and any(x.kind == "profile" for x in q.questions)
    )
    body = api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": right_answers(quiz)}).json
    assert body["max_score"] == len([q for q in quiz.questions if q.kind != "profile"])
    profiles = [e for e in body["questions"] if quiz.question(e["id"]).kind == "profile"]
    assert profiles
    assert all(e["correct"] is None for e in profiles)


def test_missing_answers_are_named_and_nothing_is_stored(api, app, catalogue):
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    answers = right_answers(quiz)
    dropped = quiz.questions[0].id
    del answers[dropped]
    response = api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": answers})
    assert response.status_code == 422
    assert response.json["error"]["code"] == "missing_answers"
    assert dropped in response.json["error"]["message"]
    assert count_rows(app, Attempt) == 0
    assert count_rows(app, Answer) == 0


def bad_bodies(quiz):
    single = next(q for q in quiz.questions if q.kind == "single")
    good = right_answers(quiz)
    yield {"answers": {**good, "no-such-question": ["a"]}}
    yield {"answers": {**good, single.id: ["no-such-option"]}}
    yield {"answers": {**good, single.id: single.option_ids[:2]}}
    yield {"answers": {**good, single.id: "a"}}
    yield {"answers": {**good, single.id: [1]}}
    yield {"answers": {**good, single.id: []}}
    yield {"answers": ["not", "an", "object"]}
    yield {"answers": good, "score": 100}
    yield {"answers": good, "user_id": 1}
    yield {}
    yield []
    yield "answers"


def test_bad_bodies_get_a_clear_4xx_and_store_nothing(api, app, catalogue):
    quiz = next(
        q for q in catalogue.quizzes.values() if any(x.kind == "single" for x in q.questions)
    )
    for body in bad_bodies(quiz):
        response = api.post(f"/quizzes/{quiz.id}/attempts", json=body)
        assert response.status_code in (400, 422), (body, response.status_code)
        assert response.json["error"]["message"]
    malformed = api.client.post(
        f"/api/v1/quizzes/{quiz.id}/attempts",
        data="{not json",
        headers={**api.headers, "Content-Type": "application/json"},
    )
    assert malformed.status_code == 400
    not_json = api.client.post(
        f"/api/v1/quizzes/{quiz.id}/attempts", data="answers=1", headers=api.headers
    )
    assert not_json.status_code in (400, 415)
    assert count_rows(app, Attempt) == 0


def test_attempts_are_private(api, client, make, catalogue):
    quiz = next(iter(catalogue.quizzes.values()))
    attempt_id = api.post(
        f"/quizzes/{quiz.id}/attempts", json={"answers": right_answers(quiz)}
    ).json["id"]
    assert api.get(f"/attempts/{attempt_id}").status_code == 200
    other = make.user()
    headers = {"Authorization": f"Bearer {make.token(other)}"}
    response = client.get(f"/api/v1/attempts/{attempt_id}", headers=headers)
    assert response.status_code == 404


def test_my_progress_lists_attempts(api, catalogue):
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": wrong_answers(quiz)})
    api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": right_answers(quiz)})
    body = api.get("/me/progress").json
    assert [a["score"] for a in body["attempts"]] == [quiz.max_score, 0]
    assert set(body["attempts"][0]) >= {
        "id",
        "quiz_id",
        "score",
        "max_score",
        "passed",
        "submitted_at",
    }
    module = next(m for m in body["modules"] if any(q["id"] == quiz.id for q in m["quizzes"]))
    listed = next(q for q in module["quizzes"] if q["id"] == quiz.id)
    assert listed["best_score"] == quiz.max_score
    assert listed["passed"] is True


def test_the_whole_course_can_be_completed_through_the_api(api, catalogue):
    for module in catalogue.modules:
        for lesson in module.lessons:
            assert api.get(f"/modules/{module.id}/lessons/{lesson.id}").status_code == 200
        for quiz_id in module.quizzes:
            quiz = catalogue.quiz(quiz_id)
            assert (
                api.post(
                    f"/quizzes/{quiz_id}/attempts", json={"answers": right_answers(quiz)}
                ).status_code
                == 201
            )
    modules = api.get("/modules").json["modules"]
    assert all(m["progress"]["completed"] for m in modules)
    assert all(m["progress"]["percent"] == 100 for m in modules)


def test_idempotency_key_returns_the_first_attempt(api, app, catalogue):
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    body = {"answers": right_answers(quiz)}
    first = api.post(f"/quizzes/{quiz.id}/attempts", json=body, headers={"Idempotency-Key": "k1"})
    again = api.post(f"/quizzes/{quiz.id}/attempts", json=body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json["id"] == first.json["id"]
    other = api.post(
        f"/quizzes/{quiz.id}/attempts",
        json={"answers": wrong_answers(quiz)},
        headers={"Idempotency-Key": "k1"},
    )
    assert other.status_code == 409
    assert count_rows(app, Attempt) == 1


@pytest.mark.parametrize("answers", [right_answers, wrong_answers])
def test_a_new_attempt_is_answered_exactly_as_it_is_stored(api, app, catalogue, answers):
    """The 201 is built from what was just graded; reading the attempt back gives the same."""
    for quiz in catalogue.quizzes.values():
        created = api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": answers(quiz)})
        assert created.status_code == 201
        stored = api.get(f"/attempts/{created.json['id']}")
        assert created.json == stored.json
        assert [q["id"] for q in created.json["questions"]] == [q.id for q in quiz.questions]
        with app.app_context():
            rows = db.session.scalars(
                select(Answer).where(Answer.attempt_id == created.json["id"])
            ).all()
        assert sorted(r.position for r in rows) == list(range(len(quiz.questions)))
        assert {r.question_id: r.question_version for r in rows} == {
            q.id: q.version for q in quiz.questions
        }
