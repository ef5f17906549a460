"""The JSON shape of one learner's drill-down in the OpenAPI document
(GET /api/v1/cohorts/{id}/learners/{user_id}): the summary the trainer's page starts with, then
the attempts."""

from __future__ import annotations

_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
_SUMMARY = {
    "type": "object",
    "description": "The learner at a glance, as the top of the trainer's drill-down page",
    "required": [
        "lessons_read",
        "lessons",
        "modules_completed",
        "modules",
        "quizzes",
        "profiles",
        "certificate",
        "previous_learner_id",
        "next_learner_id",
    ],
    "properties": {
        "lessons_read": {"type": "integer"},
        "lessons": {"type": "integer"},
        "modules_completed": {"type": "array", "items": {"type": "string"}},
        "modules": {"type": "integer"},
        "last_activity": _NULLABLE_TIME,
        "quizzes": {
            "type": "array",
            "description": "Every graded quiz, in course order; best_score is null if not taken",
            "items": {
                "type": "object",
                "required": ["id", "attempts", "best_score", "max_score", "passed"],
                "properties": {
                    "id": {"type": "string"},
                    "attempts": {"type": "integer"},
                    "best_score": {"type": ["number", "null"]},
                    "max_score": {"type": "integer"},
                    "passed": {"type": "boolean"},
                },
            },
        },
        "profiles": {
            "type": "array",
            "description": "The latest result of each self-assessment profile since joining",
            "items": {
                "type": "object",
                "required": ["quiz_id", "title", "submitted_at", "result"],
                "properties": {
                    "quiz_id": {"type": "string"},
                    "title": {"type": "string"},
                    "submitted_at": {"type": "string", "format": "date-time"},
                    "result": {"type": "object"},
                },
            },
        },
        "certificate": {
            "type": ["object", "null"],
            "properties": {
                "code": {"type": "string"},
                "issued_at": {"type": "string", "format": "date-time"},
                "revoked": {"type": "boolean"},
            },
        },
        "previous_learner_id": {"type": ["integer", "null"]},
        "next_learner_id": {"type": ["integer", "null"]},
    },
}
LEARNER = {
    "type": "object",
    "required": ["learner", "summary", "attempts"],
    "properties": {"summary": _SUMMARY},
}
