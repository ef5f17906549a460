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
        "required": ["id", "title", "lessons", "quizzes", "pre_tests", "progress"],
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
            "pre_tests": {
                "type": "array",
                "description": "the module's pre-tests: short checks offered before its lessons",
                "items": {
                    "type": "object",
                    "required": ["id", "title", "pre_test_of", "taken", "skippable"],
                    "properties": {
                        "id": {"type": "string"},
                        "title": {"type": "string"},
                        "pre_test_of": {
                            "type": "string",
                            "description": "the quiz whose concepts it checks before the lessons",
                        },
                        "questions": {"type": "integer"},
                        "taken": {"type": "boolean", "description": "the caller has taken it"},
                        "skippable": {
                            "type": "boolean",
                            "description": "true: it is never required, nor counted for completion",
                        },
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
        "required": ["id", "score", "max_score", "passed", "questions", "profile", "concepts"],
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
            "concepts": {
                "type": "array",
                "description": "per concept the attempt's questions test, in the course's order "
                "(empty when the course declares none), with the lesson that teaches it",
                "items": schema_ref("ConceptResult"),
            },
        },
    },
    "ConceptResult": {
        "type": "object",
        "required": ["id", "title", "right", "answered", "strong", "lesson"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "right": {"type": "integer", "minimum": 0},
            "answered": {"type": "integer", "minimum": 1},
            "strong": {
                "type": "boolean",
                "description": "at least two thirds right; otherwise the lesson is worth revisiting",
            },
            "lesson": {
                "type": "object",
                "required": ["module_id", "lesson_id", "title"],
                "properties": {
                    "module_id": {"type": "string"},
                    "lesson_id": {"type": "string"},
                    "title": {"type": "string"},
                },
            },
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
            "pre_test_of": {
                "type": ["string", "null"],
                "description": "for a pre-test (offered before the lessons, skippable, never "
                "passed or failed): the quiz whose concepts it checks; null otherwise",
            },
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

SCHEMAS["ConceptGain"] = {
    "type": "object",
    "description": "Learning gain on one concept, over the learners who took the module's "
    "pre-test before their first attempt at its quiz (first attempts only)",
    "required": [
        *("concept_id", "title", "lesson", "pre_percent", "post_percent", "gain"),
        *("learners", "too_small"),
    ],
    "properties": {
        "concept_id": {"type": "string"},
        "title": {"type": "string"},
        "lesson": {"type": "string", "description": "module-id/lesson-id: where it is taught"},
        "pre_percent": {
            "type": ["number", "null"],
            "minimum": 0,
            "maximum": 100,
            "description": "percent right in the pre-test, averaged over the learners",
        },
        "post_percent": {
            "type": ["number", "null"],
            "minimum": 0,
            "maximum": 100,
            "description": "percent right in the quiz after the lessons",
        },
        "gain": {
            "type": ["number", "null"],
            "maximum": 1,
            "description": "normalised gain (post − pre) / (100 − pre); null without learners "
            "or when everyone was right before",
        },
        "learners": {"type": "integer", "minimum": 0, "description": "behind every figure"},
        "too_small": {
            "type": "boolean",
            "description": "fewer learners than the minimum (5): too few to read",
        },
    },
}
SCHEMAS["Decision"] = {
    "type": "object",
    "description": "What answers given to an older version of a changed question count for",
    "required": [
        *("question", "quiz_id", "question_id", "decision", "says", "by", "decided_at"),
        *("content_version", "answers", "attempts_changed", "forced", "reverted_at"),
    ],
    "properties": {
        "question": {"type": "string", "description": "QUIZ_ID/QUESTION_ID"},
        "quiz_id": {"type": "string"},
        "question_id": {"type": "string"},
        "decision": {"enum": ["rescore", "keep", "void"]},
        "says": {"type": "string", "description": "the decision in plain words"},
        "by": {"type": "string", "description": "the administrator's name, or how it was taken"},
        "decided_at": {"type": "string", "format": "date-time"},
        "content_version": {"type": "string", "description": "the course's, when decided"},
        "question_version": {
            "type": ["string", "null"],
            "description": "the version answers are judged against; null for a removed question",
        },
        "answers": {"type": "integer", "description": "answers to older versions it covers"},
        "attempts_changed": {"type": "integer"},
        "forced": {"type": "boolean", "description": "taken although it failed passes"},
        "reverted_at": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "null while it is in force",
        },
    },
}

# Other API modules (cohorts, data export) add their paths here when they are imported.
EXTRA_PATHS: dict[str, Any] = {}
