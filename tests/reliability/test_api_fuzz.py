"""Fuzzing the API from its own OpenAPI document: whatever a client sends, never a 5xx, and
every answer is one the document describes (status code, content type, body schema); a request
that breaks the document is refused with a 4xx.

Schemathesis generates requests for every operation of /api/v1/openapi.json, both valid ones
(positive) and ones that break the schema (negative); Hypothesis runs them with a fixed seed
(derandomize), a few hundred cases in all, so a failure is reproducible and the suite stays fast.
Its pytest plugin is not used (it does not support this pytest version); the strategies are.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from app.extensions import db
from app.models import User
from app.services import cohorts

EXAMPLES = 8  # per operation and mode: about 400 cases for the whole suite
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def fuzz(
    operation, bearer: dict[str, str], mode: GenerationMode, examples: int = EXAMPLES, **fixed: Any
) -> None:
    checks = [*CHECKS, negative_data_rejection] if mode == GenerationMode.NEGATIVE else CHECKS

    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    @settings(
        max_examples=examples,
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
        case.validate_response(response, checks=checks, headers=bearer)

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
            fuzz(submit, bearer, mode, examples=4, path_parameters={"quiz_id": quiz.id})


def _dated(operation) -> bool:
    """The operation takes the report's date range (`from`, `to`)."""
    return any(p.get("name") == "to" for p in operation.definition.raw.get("parameters", []))


def test_no_invitation_id_makes_withdrawing_fail(app, make, operations):
    """The cohort's trainer lists and withdraws invitations with generated ids."""
    trainer = make.user("trainer")
    with app.app_context():
        cohort = cohorts.create_cohort(db.session.get(User, trainer.id), "Inviting")
        db.session.commit()
        fixed = {"cohort_id": cohort.id}
    headers = {"Authorization": f"Bearer {make.token(trainer)}"}
    found = [op for op in operations if op.path.startswith("/cohorts/{cohort_id}/invitations")]
    assert len(found) == 2
    for operation in found:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(operation, headers, mode, examples=4, path_parameters=fixed)


def test_no_dates_make_a_real_cohort_report_fail(app, make, operations, learner):
    """The cohort's trainer asks for its reports and CSVs with generated dates (issue 12: a
    `to` of 9999-12-31 gave a 500; an empty `to` was accepted though the document says date)."""
    trainer = make.user("trainer")
    with app.app_context():
        cohort = cohorts.create_cohort(db.session.get(User, trainer.id), "Fuzzed")
        cohorts.add_member(cohort, learner.id, "learner")
        db.session.commit()
        fixed = {"cohort_id": cohort.id, "user_id": learner.id}
    headers = {"Authorization": f"Bearer {make.token(trainer)}"}
    reports = [op for op in operations if op.path.startswith("/cohorts/{cohort_id}") and _dated(op)]
    assert len(reports) == 4
    for operation in reports:
        wanted = {k: v for k, v in fixed.items() if "{" + k + "}" in operation.path}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(operation, headers, mode, path_parameters=wanted)
