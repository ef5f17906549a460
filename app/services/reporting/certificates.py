"""Who in the cohort holds a certificate: one query per page, computed live (certificates are
few, and a revocation must show at once, so they are neither summarised nor cached).

Like every figure, it keeps to the report's range: certificates issued within it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from app.extensions import db
from app.models import Certificate, CohortMember
from app.services.reporting.common import ReportFilter


@dataclass(frozen=True)
class HeldCertificate:
    """A learner's certificate as trainers see it."""

    code: str
    issued_at: datetime
    revoked_at: datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class CertificateCounts:
    held: int  # learners whose certificate is valid
    revoked: int  # learners whose certificate was revoked


def newest_certificate(f: ReportFilter, user_id: Any) -> Any:
    """The id of the newest certificate in the range of the user in `user_id`, a column of the
    enclosing query (a correlated subquery: a learner holds one certificate per course)."""
    return (
        select(Certificate.id)
        .where(Certificate.user_id == user_id, *f.in_range(Certificate.issued_at))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        .limit(1)
        .correlate_except(Certificate)
        .scalar_subquery()
    )


def certificates_by_learner(f: ReportFilter) -> dict[int, HeldCertificate]:
    """Each learner's newest certificate in the range, by user id (one query)."""
    rows = db.session.execute(
        select(Certificate.user_id, Certificate.code, Certificate.issued_at, Certificate.revoked_at)
        .where(Certificate.user_id.in_(f.learner_ids()), *f.in_range(Certificate.issued_at))
        .order_by(Certificate.issued_at, Certificate.id)
    )
    return {user_id: HeldCertificate(*rest) for user_id, *rest in rows}


def learner_certificate(f: ReportFilter, user_id: int) -> HeldCertificate | None:
    """The learner's newest certificate in the range, or None (one query)."""
    row = db.session.execute(
        select(Certificate.code, Certificate.issued_at, Certificate.revoked_at).where(
            Certificate.id == newest_certificate(f, user_id)
        )
    ).first()
    return HeldCertificate(*row) if row else None


def certificate_counts(f: ReportFilter) -> CertificateCounts:
    """How many of the cohort's learners hold a valid certificate and how many a revoked one,
    going by each learner's newest in the range (one query)."""
    valid = Certificate.revoked_at.is_(None)
    held, revoked = db.session.execute(
        select(func.count(case((valid, 1))), func.count(case((~valid, 1))))
        .select_from(CohortMember)
        .join(Certificate, Certificate.id == newest_certificate(f, CohortMember.user_id))
        .where(CohortMember.cohort_id == f.cohort_id, CohortMember.role == "learner")
    ).one()
    return CertificateCounts(int(held or 0), int(revoked or 0))


def counts_of(held: dict[int, HeldCertificate]) -> CertificateCounts:
    """What `certificate_counts` says, from certificates loaded already."""
    revoked = sum(1 for certificate in held.values() if certificate.revoked)
    return CertificateCounts(len(held) - revoked, revoked)
