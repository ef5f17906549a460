"""The parts of the OpenAPI document that every API module shares: the reusable schemas, the
error responses and the registry other modules add their paths to.

A data table, not logic: its length is the API's.
"""

from __future__ import annotations

from typing import Any

ID = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 64}


def schema_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_response(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "401": json_response(schema_ref("Error"), "Missing or invalid token"),
    "404": json_response(schema_ref("Error"), "Not found"),
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            }
        },
    },
    "Module": {
        "type": "object",
        "required": ["id", "title", "lessons", "quizzes", "progress"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "lessons": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "title", "completed"],
                    "properties": {
                        "id": {"type": "string"},
                        "title": {"type": "string"},
                        "completed": {"type": "boolean"},
                    },
                },
            },
            "quizzes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "title", "kind", "best_score", "passed"],
                    "properties": {
                        "id": {"type": "string"},
                        "title": {"type": "string"},
                        "kind": {"enum": ["graded", "self-assessment"]},
                        "best_score": {"type": ["number", "null"]},
                        "passed": {"type": ["boolean", "null"]},
                    },
                },
            },
            "progress": {
                "type": "object",
                "required": ["lessons_completed", "lessons_total", "completed"],
                "properties": {
                    "lessons_completed": {"type": "integer"},
                    "lessons_total": {"type": "integer"},
                    "completed": {"type": "boolean"},
                },
            },
        },
    },
    "Token": {
        "type": "object",
        "required": ["id", "label", "created_at", "last_used_at", "expires_at"],
        "properties": {
            "id": {"type": "integer"},
            "label": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "last_used_at": {"type": ["string", "null"], "format": "date-time"},
            "expires_at": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "After this moment the token stops working (default: 90 days "
                "after it was made, RAPPORT_API_TOKEN_DAYS).",
            },
        },
    },
    "AttemptResult": {
        "type": "object",
        "required": ["id", "score", "max_score", "passed", "questions", "profile"],
        "properties": {
            "id": {"type": "integer"},
            "score": {"type": "number", "description": "fractional with partial credit"},
            "max_score": {"type": "integer"},
            "passed": {"type": ["boolean", "null"]},
            "retake_of": {
                "type": ["integer", "null"],
                "description": "the attempt whose missed questions this one retook",
            },
            "review_allowed": {
                "type": "boolean",
                "description": "whether the quiz's review policy shows every right answer now",
            },
            "questions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "correct", "selected"],
                    "properties": {
                        "id": {"type": "string"},
                        "correct": {"type": ["boolean", "null"]},
                        "credit": {
                            "type": ["number", "null"],
                            "description": "the share of the point earned, 0 to 1",
                        },
                        "selected": {"type": "array", "items": {"type": "string"}},
                        "shown_option_ids": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "the options in the order the learner saw them",
                        },
                        "answer_hidden": {"type": "boolean"},
                        "correct_option_ids": {
                            "type": ["array", "null"],
                            "items": {"type": "string"},
                            "description": "null for a wrong answer until the review policy allows",
                        },
                        "explanation": {"type": ["string", "null"]},
                        "explanation_html": {"type": ["string", "null"]},
                    },
                },
            },
            "profile": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Quiz": {
        "type": "object",
        "required": ["id", "title", "kind", "questions", "attempt_number", "feedback", "review"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "kind": {"enum": ["graded", "self-assessment"]},
            "pass_mark": {"type": ["integer", "null"]},
            "module_id": {"type": ["string", "null"]},
            "feedback": {"enum": ["end", "each"]},
            "review": {
                "type": "object",
                "required": ["policy"],
                "properties": {
                    "policy": {"enum": ["always", "after_pass", "after_attempts"]},
                    "after_attempts": {"type": "integer"},
                },
            },
            "attempt_number": {
                "type": "integer",
                "description": "the caller's next attempt, whose option order is shown",
            },
            "questions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "kind", "prompt", "options"],
                    "properties": {
                        "id": {"type": "string"},
                        "kind": {"type": "string"},
                        "prompt": {"type": "string"},
                        "shuffle": {"type": "boolean"},
                        "scoring": {"enum": ["all", "partial"]},
                        "options": {
                            "type": "array",
                            "description": "in the order shown to the caller in this attempt",
                            "items": {
                                "type": "object",
                                "required": ["id", "text"],
                                "properties": {
                                    "id": {"type": "string"},
                                    "text": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


# Other API modules (cohorts, data export) add their paths here when they are imported.
EXTRA_PATHS: dict[str, Any] = {}
