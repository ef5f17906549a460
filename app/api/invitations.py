"""Invitations to cohorts (issue 12): the caller's own (list them, accept or decline one) and
those a trainer sent for a cohort (list them, withdraw one not answered yet)."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from app.api.blueprint import bp
from app.api.openapi_parts import EXTRA_PATHS, json_response, schema_ref
from app.api.routes import api_user
from app.db import writes
from app.extensions import db
from app.responses import error_response
from app.serializers.cohorts import invitation_json, joined_json, sent_invitation_json
from app.services import cohorts, invitations


@bp.get("/me/invitations")
def my_invitations() -> ResponseReturnValue:
    """Invitations waiting for the caller's answer, newest first."""
    pending = invitations.pending_for(api_user().id)
    return jsonify(
        invitations=[invitation_json(item, invitations.CONSENT_TEXT) for item in pending]
    )


def _answer(invitation_id: int, accept: bool) -> ResponseReturnValue:
    invitation = invitations.pending_invitation(api_user().id, invitation_id)
    if invitation is None:
        return error_response(404, "No such invitation waiting for your answer.")
    cohort = cohorts.answer_invitation(invitation, accept)
    db.session.commit()
    if accept:
        return jsonify(joined_json(cohort, True))
    return "", 204


@bp.post("/me/invitations/<int:invitation_id>/accept")
@writes("POST")
def accept_invitation(invitation_id: int) -> ResponseReturnValue:
    """Become a learner of the cohort: its trainers then see what CONSENT_TEXT says."""
    return _answer(invitation_id, True)


@bp.post("/me/invitations/<int:invitation_id>/decline")
@writes("POST")
def decline_invitation(invitation_id: int) -> ResponseReturnValue:
    """Say no: the caller stays out of the cohort and its trainers see nothing of theirs."""
    return _answer(invitation_id, False)


@bp.get("/cohorts/<int:cohort_id>/invitations")
def cohort_invitations(cohort_id: int) -> ResponseReturnValue:
    """The cohort's invitations not accepted: waiting for an answer, or declined."""
    cohort = cohorts.cohort_for(api_user(), cohort_id)
    if cohort is None:
        return error_response(404, "No such cohort.")
    return jsonify(invitations=[sent_invitation_json(i) for i in invitations.sent_for(cohort)])


@bp.delete("/cohorts/<int:cohort_id>/invitations/<int:invitation_id>")
@writes("DELETE")
def withdraw_invitation(cohort_id: int, invitation_id: int) -> ResponseReturnValue:
    """Take back an invitation not answered yet: the invitee no longer sees it or can accept it."""
    cohort = cohorts.cohort_for(api_user(), cohort_id)
    if cohort is None:
        return error_response(404, "No such cohort.")
    if not invitations.withdraw(cohort, invitation_id):
        return error_response(404, "No invitation of this cohort waiting for an answer.")
    db.session.commit()
    return "", 204


# ---------------------------------------------------------------------------- OpenAPI

_ID = {"name": "invitation_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_NOT_FOUND = json_response(
    schema_ref("Error"), "No such invitation waiting for the caller's answer"
)
_INVITATION = {
    "type": "object",
    "required": ["id", "cohort", "trainers", "invited_at", "trainers_will_see"],
    "properties": {
        "id": {"type": "integer"},
        "cohort": {
            "type": "object",
            "required": ["name", "description"],
            "properties": {"name": {"type": "string"}, "description": {"type": "string"}},
        },
        "trainers": {"type": "array", "items": {"type": "string"}},
        "invited_at": {"type": "string", "format": "date-time"},
        "trainers_will_see": {"type": "string"},
    },
}
_JOINED = {
    "type": "object",
    "required": ["cohort", "joined"],
    "properties": {
        "cohort": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "joined": {"type": "boolean"},
    },
}
_401 = json_response(schema_ref("Error"), "Missing or invalid token")
_COHORT_ID = {"name": "cohort_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_SENT = {
    "type": "object",
    "required": ["id", "email", "state", "invited_at"],
    "properties": {
        "id": {"type": "integer"},
        "email": {"type": "string"},
        "state": {"type": "string", "enum": ["pending", "declined"]},
        "invited_at": {"type": "string", "format": "date-time"},
    },
}

EXTRA_PATHS.update(
    {
        "/me/invitations": {
            "get": {
                "summary": "Invitations to cohorts waiting for the caller's answer",
                "responses": {
                    "200": json_response(
                        {
                            "type": "object",
                            "required": ["invitations"],
                            "properties": {"invitations": {"type": "array", "items": _INVITATION}},
                        }
                    ),
                    "401": _401,
                },
            }
        },
        "/me/invitations/{invitation_id}/accept": {
            "post": {
                "summary": "Accept: become a learner of the cohort (its trainers then see your work)",
                "parameters": [_ID],
                "responses": {
                    "200": json_response(_JOINED, "Joined"),
                    "401": _401,
                    "404": _NOT_FOUND,
                },
            }
        },
        "/me/invitations/{invitation_id}/decline": {
            "post": {
                "summary": "Decline: stay out of the cohort",
                "parameters": [_ID],
                "responses": {"204": {"description": "Declined"}, "401": _401, "404": _NOT_FOUND},
            }
        },
        "/cohorts/{cohort_id}/invitations": {
            "get": {
                "summary": "The cohort's invitations not accepted: pending or declined",
                "parameters": [_COHORT_ID],
                "responses": {
                    "200": json_response(
                        {
                            "type": "object",
                            "required": ["invitations"],
                            "properties": {"invitations": {"type": "array", "items": _SENT}},
                        }
                    ),
                    "401": _401,
                    "404": json_response(
                        schema_ref("Error"), "No such cohort, or not one the caller trains"
                    ),
                },
            }
        },
        "/cohorts/{cohort_id}/invitations/{invitation_id}": {
            "delete": {
                "summary": "Withdraw an invitation not answered yet (the invitee can no longer "
                "see or accept it)",
                "parameters": [_COHORT_ID, _ID],
                "responses": {
                    "204": {"description": "Withdrawn"},
                    "401": _401,
                    "404": json_response(
                        schema_ref("Error"),
                        "No such cohort the caller trains, or no invitation of it waiting for "
                        "an answer",
                    ),
                },
            }
        },
    }
)
