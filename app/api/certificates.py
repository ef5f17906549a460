"""The caller's certificates (issue 13)."""

from __future__ import annotations

from flask import Response, jsonify

from app.api.blueprint import bp
from app.api.openapi_parts import ERRORS, EXTRA_PATHS, SCHEMAS, json_response, schema_ref
from app.api.routes import api_user
from app.serializers.certificates import certificate_json
from app.services import certificates


@bp.get("/me/certificates")
def my_certificates() -> Response:
    """Every certificate issued to the caller, newest first."""
    return jsonify(
        {"certificates": [certificate_json(c) for c in certificates.certificates_of(api_user().id)]}
    )


SCHEMAS["Certificate"] = {
    "type": "object",
    "required": ["id", "code", "issued_at", "course_title", "verify_url", "pdf_url"],
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string", "description": "The verification code (120 random bits)"},
        "issued_at": {"type": "string", "format": "date-time"},
        "course_title": {"type": "string"},
        "content_version": {"type": "string"},
        "revoked": {"type": "boolean"},
        "verify_url": {"type": "string", "format": "uri", "description": "Public check page"},
        "pdf_url": {
            "type": "string",
            "format": "uri",
            "description": "The PDF (?paper=a4|letter); answers this token or the browser session",
        },
    },
}
EXTRA_PATHS["/me/certificates"] = {
    "get": {
        "summary": "The caller's certificates, newest first",
        "responses": {
            "200": json_response(
                {
                    "type": "object",
                    "required": ["certificates"],
                    "properties": {
                        "certificates": {"type": "array", "items": schema_ref("Certificate")}
                    },
                }
            ),
            "401": ERRORS["401"],
        },
    }
}
