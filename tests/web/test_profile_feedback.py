"""A self-assessment answer is described as the learner's own, never contradicted."""

from __future__ import annotations

import re

import pytest

from tests.conftest import quiz_form_data, right_answers


@pytest.mark.parametrize(
    ("choice", "said", "not_said"),
    [
        ("a", "a sign of a broad frame", "a sign of a detailed frame"),
        ("b", "a sign of a detailed frame", "a sign of a broad frame"),
    ],
)
def test_the_frame_answer_is_read_back_as_the_learner_chose(
    client, auth, learner, catalogue, choice: str, said: str, not_said: str
):
    quiz = catalogue.quiz("close-connection-check")
    answers = {**right_answers(quiz), "frame-of-understanding": [choice]}
    auth.login(learner.email)
    page = client.get(f"/quizzes/{quiz.id}")
    token = re.search(r'name="attempt_token" type="hidden" value="([^"]+)"', page.text).group(1)
    response = client.post(f"/quizzes/{quiz.id}", data=quiz_form_data(quiz, answers, token))
    assert response.status_code == 303
    result = client.get(response.location).text
    assert said in result
    assert not_said not in result
    label = "Detailed frame" if choice == "b" else "Broad frame"
    assert label in result
    assert "Check the correct response." not in result
