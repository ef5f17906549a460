"""Cohorts in the API: the caller's cohorts and the answer to joining one."""

from __future__ import annotations

from typing import Any

from app.models import Cohort
from app.serializers import iso_utc
from app.services.cohorts import CohortSummary
from app.services.invitations import InvitationView, SentInvitation


def cohort_json(summary: CohortSummary) -> dict[str, Any]:
    """A cohort the caller trains, with its number of learners and trainers."""
    cohort = summary.cohort
    return {
        "id": cohort.id,
        "name": cohort.name,
        "description": cohort.description,
        "join_code": cohort.join_code,
        "learners": summary.learners,
        "trainers": summary.trainers,
        "created_at": iso_utc(cohort.created_at),
    }


def joined_json(cohort: Cohort, joined: bool) -> dict[str, Any]:
    """The cohort just joined; `joined` is False when the caller was a member already."""
    return {"cohort": {"id": cohort.id, "name": cohort.name}, "joined": joined}


def invitation_json(invitation: InvitationView, consent: str) -> dict[str, Any]:
    """An invitation waiting for the caller's answer, with what accepting lets trainers see."""
    return {
        "id": invitation.id,
        "cohort": {"name": invitation.cohort_name, "description": invitation.cohort_description},
        "trainers": invitation.trainers,
        "invited_at": iso_utc(invitation.invited_at),
        "trainers_will_see": consent,
    }


def sent_invitation_json(invitation: SentInvitation) -> dict[str, Any]:
    """An invitation of the cohort not accepted (yet), as its trainers see it."""
    return {
        "id": invitation.id,
        "email": invitation.email,
        "state": invitation.state,
        "invited_at": iso_utc(invitation.invited_at),
    }
