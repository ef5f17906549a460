"""The JSON shapes of certificates: the owner's list and the public verification."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

from app.models import Certificate
from app.serializers import iso_utc


def absolute_url(endpoint: str, **values: Any) -> str:
    """A link for outside Rapport: under RAPPORT_BASE_URL when it is set, else this request's host."""
    base = current_app.config.get("RAPPORT_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def verify_url(certificate: Certificate) -> str:
    return absolute_url("certificates.verify", verification=certificate.code)


def certificate_json(certificate: Certificate) -> dict[str, Any]:
    """One certificate as its owner sees it in the API."""
    return {
        "id": certificate.id,
        "code": certificate.code,
        "issued_at": iso_utc(certificate.issued_at),
        "course_title": certificate.course_title,
        "content_version": certificate.content_version,
        "revoked": certificate.revoked_at is not None,
        "verify_url": verify_url(certificate),
        "pdf_url": absolute_url("certificates.pdf", certificate_id=certificate.id),
    }


def verification_json(certificate: Certificate | None, code: str) -> dict[str, Any]:
    """What anyone holding the code may learn: the same keys whether the code is known or not."""
    if certificate is None:
        return {
            "code": code,
            "status": "unknown",
            "valid": False,
            "learner_name": None,
            "course_title": None,
            "content_version": None,
            "issued_at": None,
            "revoked_at": None,
            "revoked_reason": None,
        }
    revoked = certificate.revoked_at is not None
    return {
        "code": certificate.code,
        "status": "revoked" if revoked else "valid",
        "valid": not revoked,
        "learner_name": certificate.learner_name,
        "course_title": certificate.course_title,
        "content_version": certificate.content_version,
        "issued_at": iso_utc(certificate.issued_at),
        "revoked_at": iso_utc(certificate.revoked_at),
        "revoked_reason": certificate.revoked_reason,
    }
