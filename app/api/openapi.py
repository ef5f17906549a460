"""The OpenAPI 3.1 description of API v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

ID = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 64}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "401": _json(_ref("Error"), "Missing or invalid token"),
    "404": _json(_ref("Error"), "Not found"),
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
                            "description": "null for a wrong answer until the review policy "
                            "allows",
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


def openapi_document() -> dict[str, Any]:
    """The document; cohort and account endpoints are listed beside the learner ones.

    A data table, not logic: its length is the API's, so it is exempt from the 60-line rule.
    """
    paths: dict[str, Any] = {
        "/modules": {
            "get": {
                "summary": "Modules with the caller's progress",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["modules"],
                            "properties": {"modules": {"type": "array", "items": _ref("Module")}},
                        }
                    ),
                    "401": ERRORS["401"],
                },
            }
        },
        "/modules/{module_id}/lessons/{lesson_id}": {
            "get": {
                "summary": "A lesson (records it as read)",
                "parameters": [
                    {"name": "module_id", "in": "path", "required": True, "schema": ID},
                    {"name": "lesson_id", "in": "path", "required": True, "schema": ID},
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["id", "title", "html", "previous", "next"],
                            "properties": {
                                "id": {"type": "string"},
                                "title": {"type": "string"},
                                "html": {"type": "string"},
                                "figures": {"type": "array", "items": {"type": "string"}},
                                "widget": {"type": ["string", "null"]},
                                "previous": {"type": ["string", "null"]},
                                "next": {"type": ["string", "null"]},
                            },
                        }
                    ),
                    **ERRORS,
                },
            }
        },
        "/quizzes/{quiz_id}": {
            "get": {
                "summary": "A quiz, without its answers, its options in the caller's order",
                "parameters": [{"name": "quiz_id", "in": "path", "required": True, "schema": ID}],
                "responses": {"200": _json(_ref("Quiz")), **ERRORS},
            }
        },
        "/quizzes/{quiz_id}/attempts": {
            "post": {
                "summary": "Submit answers; an Idempotency-Key makes retries safe",
                "parameters": [
                    {"name": "quiz_id", "in": "path", "required": True, "schema": ID},
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 80},
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["answers"],
                                "additionalProperties": False,
                                "properties": {
                                    "answers": {
                                        "type": "object",
                                        "additionalProperties": {
                                            "type": "array",
                                            "items": {"type": "string"},
                                        },
                                    },
                                    "retake_of": {
                                        "type": "integer",
                                        "minimum": 1,
                                        "description": "retake the questions missed in this "
                                        "attempt: its right answers are kept, `answers` holds "
                                        "the others",
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _json(_ref("AttemptResult"), "Stored"),
                    "200": _json(_ref("AttemptResult"), "The same submission, returned again"),
                    "400": _json(_ref("Error"), "Malformed request"),
                    "409": _json(_ref("Error"), "Idempotency key reused for another body"),
                    "415": _json(_ref("Error"), "Not JSON"),
                    "422": _json(_ref("Error"), "Answers not valid; nothing stored"),
                    **ERRORS,
                },
            }
        },
        "/attempts/{attempt_id}": {
            "get": {
                "summary": "One of the caller's attempts",
                "parameters": [
                    {
                        "name": "attempt_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {"200": _json(_ref("AttemptResult")), **ERRORS},
            }
        },
        "/me/progress": {
            "get": {
                "summary": "The caller's modules and attempts",
                "responses": {"200": _json({"type": "object"}), "401": ERRORS["401"]},
            }
        },
        "/me/tokens": {
            "get": {
                "summary": "The caller's API tokens (never their secret), unrevoked and unexpired",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["tokens"],
                            "properties": {"tokens": {"type": "array", "items": _ref("Token")}},
                        }
                    ),
                    "401": ERRORS["401"],
                },
            }
        },
        "/me/tokens/{token_id}": {
            "delete": {
                "summary": "Revoke one of the caller's tokens",
                "parameters": [
                    {
                        "name": "token_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {"204": {"description": "Revoked"}, **ERRORS},
            }
        },
        "/me/export": {
            "get": {
                "summary": "Everything stored about the caller (account, progress, answers, tokens)",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["format", "exported_at", "user_id", "about", "data"],
                            "properties": {
                                "format": {"type": "string"},
                                "exported_at": {"type": "string"},
                                "user_id": {"type": "integer"},
                                "about": {"type": "object"},
                                "data": {"type": "object"},
                            },
                        }
                    ),
                    "401": ERRORS["401"],
                },
            }
        },
        "/me": {
            "delete": {
                "summary": "Delete the caller's account and data (answers per the server setting)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["password"],
                                "additionalProperties": False,
                                "properties": {"password": {"type": "string", "maxLength": 128}},
                            }
                        }
                    },
                },
                "responses": {
                    "204": {"description": "Deleted"},
                    "400": _json(_ref("Error"), "Malformed request"),
                    "401": ERRORS["401"],
                    "403": _json(_ref("Error"), "Wrong password"),
                    "409": _json(_ref("Error"), "The last administrator cannot be deleted"),
                    "415": _json(_ref("Error"), "Not JSON"),
                    "422": _json(_ref("Error"), "Unknown fields"),
                    "429": _json(_ref("Error"), "Too many wrong passwords"),
                },
            }
        },
    }
    for path, item in EXTRA_PATHS.items():
        paths[path] = item
    return {
        "openapi": "3.1.0",
        "info": {"title": "Rapport API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
        "paths": paths,
    }


# Other API modules (cohorts, data export) add their paths here when they are imported.
EXTRA_PATHS: dict[str, Any] = {}
