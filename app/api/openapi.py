"""The OpenAPI 3.1 description of API v1, served at /api/v1/openapi.json."""

from __future__ import annotations

import functools
from typing import Any

from app.api.openapi_parts import (
    ERRORS,
    EXTRA_PATHS,
    ID,
    SCHEMAS,
    json_response,
    schema_ref,
)


@functools.cache
def query_parameters() -> dict[tuple[str, str], frozenset[str]]:
    """The query parameters each operation takes, by (path under /api/v1, e.g.
    `/cohorts/{cohort_id}/report`, and method): the document is where they are written down.
    Worked out once per process (the document does not change while it runs)."""
    taken = {}
    for path, item in openapi_document()["paths"].items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method == "parameters":
                continue
            names = {
                parameter["name"]
                for parameter in [*shared, *operation.get("parameters", [])]
                if parameter.get("in") == "query"
            }
            taken[(path, method.upper())] = frozenset(names)
    return taken


def openapi_document() -> dict[str, Any]:
    """The document; cohort and account endpoints are listed beside the learner ones.

    A data table, not logic: its length is the API's, so it is exempt from the 60-line rule.
    """
    paths: dict[str, Any] = {
        "/modules": {
            "get": {
                "summary": "Modules with the caller's progress",
                "responses": {
                    "200": json_response(
                        {
                            "type": "object",
                            "required": ["modules"],
                            "properties": {
                                "modules": {"type": "array", "items": schema_ref("Module")}
                            },
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
                    "200": json_response(
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
                "responses": {"200": json_response(schema_ref("Quiz")), **ERRORS},
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
                    "201": json_response(schema_ref("AttemptResult"), "Stored"),
                    "200": json_response(
                        schema_ref("AttemptResult"), "The same submission, returned again"
                    ),
                    "400": json_response(schema_ref("Error"), "Malformed request"),
                    "409": json_response(
                        schema_ref("Error"), "Idempotency key reused for another body"
                    ),
                    "415": json_response(schema_ref("Error"), "Not JSON"),
                    "422": json_response(schema_ref("Error"), "Answers not valid; nothing stored"),
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
                "responses": {"200": json_response(schema_ref("AttemptResult")), **ERRORS},
            }
        },
        "/me/progress": {
            "get": {
                "summary": "The caller's modules and attempts",
                "responses": {"200": json_response({"type": "object"}), "401": ERRORS["401"]},
            }
        },
        "/me/tokens": {
            "get": {
                "summary": "The caller's API tokens (never their secret), unrevoked and unexpired",
                "responses": {
                    "200": json_response(
                        {
                            "type": "object",
                            "required": ["tokens"],
                            "properties": {
                                "tokens": {"type": "array", "items": schema_ref("Token")}
                            },
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
                    "200": json_response(
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
                    "400": json_response(schema_ref("Error"), "Malformed request"),
                    "401": ERRORS["401"],
                    "403": json_response(schema_ref("Error"), "Wrong password"),
                    "409": json_response(
                        schema_ref("Error"), "The last administrator cannot be deleted"
                    ),
                    "415": json_response(schema_ref("Error"), "Not JSON"),
                    "422": json_response(schema_ref("Error"), "Unknown fields"),
                    "429": json_response(schema_ref("Error"), "Too many wrong passwords"),
                },
            }
        },
    }
    for path, item in EXTRA_PATHS.items():
        paths[path] = item
    for item in paths.values():
        for operation in item.values():
            # Every call answers a query parameter its operation does not take with a 400
            # (api/routes.py), whatever else its 400 means.
            operation["responses"].setdefault(
                "400", json_response(schema_ref("Error"), "A query parameter it does not take")
            )
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
