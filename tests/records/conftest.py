"""Helpers for certificates and xAPI: a learner who finishes the whole course through the API."""

from __future__ import annotations

from tests.conftest import Api, right_answers, wrong_answers


def read_every_lesson(api: Api, catalogue) -> None:  # noqa: ANN001
    for module in catalogue.modules:
        for lesson in module.lessons:
            assert api.get(f"/modules/{module.id}/lessons/{lesson.id}").status_code == 200


def take_every_quiz(api: Api, catalogue, skip: str | None = None) -> None:  # noqa: ANN001
    """Pass every graded quiz and take every self-assessment, except the quiz `skip`."""
    for quiz in catalogue.quizzes.values():
        if quiz.id != skip:
            response = api.post(
                f"/quizzes/{quiz.id}/attempts", json={"answers": right_answers(quiz)}
            )
            assert response.status_code == 201, response.json


def finish_course(api: Api, catalogue) -> None:  # noqa: ANN001
    read_every_lesson(api, catalogue)
    take_every_quiz(api, catalogue)


def fail_quiz(api: Api, quiz) -> dict:  # noqa: ANN001
    response = api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": wrong_answers(quiz)})
    assert response.status_code == 201
    return response.json
