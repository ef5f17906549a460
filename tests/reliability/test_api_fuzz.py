"""Fuzzing the API from its own OpenAPI document: whatever a client sends, never a 5xx.

Schemathesis generates requests for every operation of /api/v1/openapi.json, both valid ones
(positive) and ones that break the schema (negative); Hypothesis runs them with a fixed seed.
Its pytest plugin is not used (it does not support this pytest version); the strategies are.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

EXAMPLES = 10


def fuzz(operation, bearer: dict[str, str], mode: GenerationMode, **fixed: Any) -> None:
    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,  # the same examples on every run, so a failure is reproducible
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        response = case.call(headers=bearer)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} -> {response.status_code}: "
            f"{response.text[:300]}\n{case.as_curl_command()}"
        )

    run()


@pytest.fixture
def operations(app) -> list:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 8
    return found


@pytest.fixture
def bearer(make, learner) -> dict[str, str]:
    return {"Authorization": f"Bearer {make.token(learner)}"}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_makes_the_api_fail(operations, bearer, mode):
    for operation in operations:
        fuzz(operation, bearer, mode)


def test_no_answers_make_a_real_quiz_fail(operations, bearer, catalogue):
    """Random bodies against quizzes that exist, so grading itself is fuzzed, not only 404s."""
    (submit,) = [op for op in operations if op.path == "/quizzes/{quiz_id}/attempts"]
    for quiz in catalogue.quizzes.values():
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(submit, bearer, mode, path_parameters={"quiz_id": quiz.id})
