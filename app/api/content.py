"""Administrators' read of the decisions taken on answers to older versions of changed
questions (issue 14): the same records as `flask --app run content impact` and /admin/content."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from app.api.blueprint import bp
from app.api.openapi_parts import EXTRA_PATHS, json_response, schema_ref
from app.api.routes import api_user
from app.responses import error_response
from app.serializers.reports import decision_json
from app.services import reporting


@bp.get("/content/decisions")
def content_decisions() -> ResponseReturnValue:
    """Every decision, oldest first, those reverted included (with when); for admins only."""
    if not api_user().is_admin:
        return error_response(404, "Not found.")
    notes = reporting.decision_notes(with_reverted=True)
    return jsonify(decisions=[decision_json(note) for note in notes])


EXTRA_PATHS["/content/decisions"] = {
    "get": {
        "summary": "Every decision on answers to older versions of changed questions (admins)",
        "responses": {
            "200": json_response(
                {
                    "type": "object",
                    "required": ["decisions"],
                    "properties": {"decisions": {"type": "array", "items": schema_ref("Decision")}},
                }
            ),
            "401": json_response(schema_ref("Error"), "Missing or invalid token"),
            "404": json_response(schema_ref("Error"), "The caller is not an administrator"),
        },
    }
}
