"""Cohort endpoints of API v1: the caller's cohorts, reports, a learner's answers, CSV, joining."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from app.api.blueprint import bp
from app.api.openapi_learner import LEARNER
from app.api.openapi_parts import EXTRA_PATHS, json_response, schema_ref
from app.api.routes import api_user, json_body
from app.db import writes
from app.extensions import db, limiter
from app.models import Cohort
from app.responses import csv_download, error_response
from app.serializers.cohorts import cohort_json, joined_json
from app.serializers.reports import learner_json, report_json_text
from app.services import cohorts, reporting

NOT_FOUND = "No such cohort."


def _cohort_or_404(cohort_id: int) -> Cohort | Response:
    found = cohorts.cohort_for(api_user(), cohort_id)
    return found if found is not None else error_response(404, NOT_FOUND)


def _filter(cohort_id: int) -> reporting.ReportFilter | Response:
    try:
        return reporting.ReportFilter.parse(
            cohort_id, request.args.get("from"), request.args.get("to"), allow_empty=False
        )
    except reporting.ReportFilterError as error:
        return error_response(400, str(error), "invalid_filter")


@bp.get("/cohorts")
def cohort_list() -> ResponseReturnValue:
    """The cohorts the caller trains (every cohort for an admin; none for a learner)."""
    return jsonify(cohorts=[cohort_json(s) for s in cohorts.cohorts_for(api_user())])


@bp.get("/cohorts/<int:cohort_id>/report")
def cohort_report(cohort_id: int) -> ResponseReturnValue:
    cohort = _cohort_or_404(cohort_id)
    if isinstance(cohort, Response):
        return cohort
    f = _filter(cohort.id)
    if isinstance(f, Response):
        return f
    report = reporting.cohort_report(f, with_learners=False)
    return current_app.response_class(report_json_text(report), mimetype="application/json")


@bp.get("/cohorts/<int:cohort_id>/learners/<int:user_id>")
def cohort_learner(cohort_id: int, user_id: int) -> ResponseReturnValue:
    cohort = _cohort_or_404(cohort_id)
    if isinstance(cohort, Response):
        return cohort
    learner = cohorts.learner_of(cohort, user_id)
    if learner is None:
        return error_response(404, "No such learner in this cohort.")
    f = _filter(cohort.id)
    if isinstance(f, Response):
        return f
    summary = reporting.learner_summary(f, learner.id)
    if summary is None:
        return error_response(404, "No such learner in this cohort.")
    return jsonify(learner_json(learner, summary, reporting.learner_attempts(f, learner.id)))


def _csv(cohort_id: int, kind: str) -> ResponseReturnValue:
    cohort = _cohort_or_404(cohort_id)
    if isinstance(cohort, Response):
        return cohort
    f = _filter(cohort.id)
    if isinstance(f, Response):
        return f
    return csv_download(f, kind)


@bp.get("/cohorts/<int:cohort_id>/learners.csv")
def learners_csv(cohort_id: int) -> ResponseReturnValue:
    return _csv(cohort_id, "learners")


@bp.get("/cohorts/<int:cohort_id>/answers.csv")
def answers_csv(cohort_id: int) -> ResponseReturnValue:
    return _csv(cohort_id, "answers")


@bp.get("/cohorts/<int:cohort_id>/codebook.csv")
def codebook_csv(cohort_id: int) -> ResponseReturnValue:
    """What each column of the two CSVs means and the words behind their ids (the same for
    any date range)."""
    cohort = _cohort_or_404(cohort_id)
    if isinstance(cohort, Response):
        return cohort
    return csv_download(reporting.ReportFilter(cohort.id), "codebook")


@bp.post("/cohorts/join")
@writes("POST")
@limiter.limit("30 per 10 minutes", deduct_when=lambda r: r.status_code == 404, scope="cohort-join")
def join() -> ResponseReturnValue:
    """Join the cohort whose code is in the body: {"code": "..."}."""
    body = json_body()
    unknown = sorted(set(body) - {"code"})
    if unknown:
        return error_response(
            422,
            "Only `code` may be sent; not: " + ", ".join(k[:40] for k in unknown) + ".",
            "unknown_fields",
        )
    code = body.get("code")
    if not isinstance(code, str) or not code.strip() or len(code) > 64:
        return error_response(422, "Send the cohort's join code as `code`.", "invalid_code")
    try:
        cohort, joined = cohorts.join_cohort(api_user(), code)
    except cohorts.CohortError:
        return error_response(404, "No cohort has this code.", "unknown_code")
    db.session.commit()
    response = jsonify(joined_json(cohort, joined))
    response.status_code = 201 if joined else 200
    return response


# ---------------------------------------------------------------------------- OpenAPI

_COHORT_ID = {"name": "cohort_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_RANGE = [
    {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"Only activity {'from' if name == 'from' else 'until'} this day "
        "(included), from 1970-01-01 to 2999-12-31; leave the parameter out for no limit.",
        "schema": {"type": "string", "format": "date"},
    }
    for name in ("from", "to")
]
_NUMBER = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
_ERRORS = {
    "400": json_response(schema_ref("Error"), "Unreadable or empty date, or one out of range"),
    "401": json_response(schema_ref("Error"), "Missing or invalid token"),
    "404": json_response(schema_ref("Error"), "No such cohort, or not one the caller trains"),
}
_QUESTION = {
    "type": "object",
    "required": ["id", "answered", "facility", "discrimination", "options"],
    "properties": {
        "id": {"type": "string"},
        "version": {"type": "string"},
        "answered": {"type": "integer"},
        "scoring": {
            "type": "string",
            "enum": ["all", "partial"],
            "description": "partial: an answer earns a share of the point (partial credit)",
        },
        "facility": {
            **_NUMBER,
            "description": "the average credit: the share right, for an all-or-nothing question",
        },
        "fully_right": {**_NUMBER, "description": "the share of answers entirely right"},
        "average_credit": {
            **_NUMBER,
            "description": "partial scoring only: the mean share of the point earned",
        },
        "discrimination": {"type": ["number", "null"], "minimum": -1, "maximum": 1},
        "options": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "count"],
                "properties": {"id": {"type": "string"}, "count": {"type": "integer"}},
            },
        },
        "flags": {"type": "array", "items": {"type": "string"}},
    },
}
_SCORE_COLUMN = {
    "type": "object",
    "required": ["score", "below", "label", "learners", "passes"],
    "properties": {
        "score": {"type": "number", "description": "the column's lowest score"},
        "below": {
            "type": ["number", "null"],
            "description": "the score the column stops under; null for one score",
        },
        "label": {"type": "string"},
        "learners": {"type": "integer"},
        "passes": {"type": ["boolean", "null"]},
    },
}
# The learner's newest certificate issued in the range; all three are null without one.
_CERTIFICATE_FIELDS = {
    "certificate_issued_on": {"type": ["string", "null"], "format": "date"},
    "certificate_code": {"type": ["string", "null"]},
    "certificate_revoked": {"type": ["boolean", "null"]},
}
_REPORT = {
    "type": "object",
    "required": [
        *("cohort", "learners", "certificates", "modules", "quizzes"),
        *("learning_gain", "decisions"),
    ],
    "properties": {
        "cohort": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "learners": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "email", *_CERTIFICATE_FIELDS],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "email": {"type": "string"},
                    **_CERTIFICATE_FIELDS,
                },
            },
        },
        "certificates": {
            "type": "object",
            "description": "Learners holding a certificate issued in the range; revoked ones.",
            "required": ["held", "revoked"],
            "properties": {"held": {"type": "integer"}, "revoked": {"type": "integer"}},
        },
        "modules": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "started", "completed"],
                "properties": {
                    "id": {"type": "string"},
                    "started": {"type": "integer"},
                    "completed": {"type": "integer"},
                },
            },
        },
        "quizzes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "attempts", "mean_best_score", "pass_rate", "questions"],
                "properties": {
                    "id": {"type": "string"},
                    "attempts": {"type": "integer"},
                    "mean_best_score": _NUMBER,
                    "pass_rate": _NUMBER,
                    "score_distribution": {
                        "type": ["array", "null"],
                        "description": "Learners per best score (null for an ungraded quiz): a "
                        "column per whole score, or, where partial credit gives fractions, per "
                        "range from `score` to under `below`; `passes` says whether the column "
                        "is at or above the pass mark.",
                        "items": _SCORE_COLUMN,
                    },
                    "questions": {"type": "array", "items": _QUESTION},
                    "older_versions": {"type": "array", "items": _QUESTION},
                },
            },
        },
        "learning_gain": {
            "type": "array",
            "description": "per concept a pre-test checks, in the course's order",
            "items": schema_ref("ConceptGain"),
        },
        "decisions": {
            "type": "array",
            "description": "footnotes: the decisions in force on answers to older versions "
            "of changed questions, oldest first (they apply to every cohort)",
            "items": schema_ref("Decision"),
        },
    },
}
_CSV = {
    "description": "CSV (UTF-8 with BOM)",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}

EXTRA_PATHS.update(
    {
        "/cohorts": {
            "get": {
                "summary": "The cohorts the caller trains (empty for a learner)",
                "responses": {
                    "200": json_response(
                        {
                            "type": "object",
                            "required": ["cohorts"],
                            "properties": {
                                "cohorts": {"type": "array", "items": {"type": "object"}}
                            },
                        }
                    ),
                    "401": _ERRORS["401"],
                },
            }
        },
        "/cohorts/{cohort_id}/report": {
            "get": {
                "summary": "Progress, results and item analysis of a cohort",
                "parameters": [_COHORT_ID, *_RANGE],
                "responses": {"200": json_response(_REPORT), **_ERRORS},
            }
        },
        "/cohorts/{cohort_id}/learners/{user_id}": {
            "get": {
                "summary": "One learner's attempts with every answer",
                "parameters": [
                    _COHORT_ID,
                    {
                        "name": "user_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    },
                    *_RANGE,
                ],
                "responses": {
                    "200": json_response(LEARNER),
                    **_ERRORS,
                },
            }
        },
        "/cohorts/{cohort_id}/learners.csv": {
            "get": {
                "summary": "One row per learner",
                "parameters": [_COHORT_ID, *_RANGE],
                "responses": {"200": _CSV, **_ERRORS},
            }
        },
        "/cohorts/{cohort_id}/answers.csv": {
            "get": {
                "summary": "One row per answer",
                "parameters": [_COHORT_ID, *_RANGE],
                "responses": {"200": _CSV, **_ERRORS},
            }
        },
        "/cohorts/{cohort_id}/codebook.csv": {
            "get": {
                "summary": "The codebook of learners.csv and answers.csv: kind, file, id, "
                "meaning, quiz_id, question_id, version",
                "parameters": [_COHORT_ID],
                "responses": {"200": _CSV, **_ERRORS},
            }
        },
        "/cohorts/join": {
            "post": {
                "summary": "Join a cohort with its code",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["code"],
                                "additionalProperties": False,
                                "properties": {"code": {"type": "string", "maxLength": 64}},
                            }
                        }
                    },
                },
                "responses": {
                    "201": json_response({"type": "object"}, "Joined"),
                    "200": json_response({"type": "object"}, "Already a member"),
                    "400": json_response(schema_ref("Error"), "Malformed request"),
                    "401": _ERRORS["401"],
                    "404": json_response(schema_ref("Error"), "No cohort has this code"),
                    "415": json_response(schema_ref("Error"), "Not JSON"),
                    "422": json_response(schema_ref("Error"), "No code, or unknown fields"),
                    "429": json_response(
                        schema_ref("Error"), "Too many unknown codes; wait and try again"
                    ),
                },
            }
        },
    }
)
