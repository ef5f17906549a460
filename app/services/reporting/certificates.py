"""Who in the cohort holds a certificate: one query per page, computed live (certificates are
few, and a revocation must show at once, so they are neither summarised nor cached).

Like every figure, it keeps to the report's range: certificates issued within it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from app.extensions import db
from app.models import Certificate
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
    held: int  # learners holding a certificate that is not revoked
    revoked: int  # revoked certificates of the cohort's learners


def _in_range(f: ReportFilter) -> list:
    return [Certificate.user_id.in_(f.learner_ids()), *f.in_range(Certificate.issued_at)]


def certificates_by_learner(f: ReportFilter) -> dict[int, HeldCertificate]:
    """Each learner's newest certificate in the range, by user id (one query)."""
    rows = db.session.execute(
        select(Certificate.user_id, Certificate.code, Certificate.issued_at, Certificate.revoked_at)
        .where(*_in_range(f))
        .order_by(Certificate.issued_at, Certificate.id)
    )
    return {user_id: HeldCertificate(*rest) for user_id, *rest in rows}


def learner_certificate(f: ReportFilter, user_id: int) -> HeldCertificate | None:
    """The learner's newest certificate in the range, or None (one query)."""
    row = db.session.execute(
        select(Certificate.code, Certificate.issued_at, Certificate.revoked_at)
        .where(Certificate.user_id == user_id, *f.in_range(Certificate.issued_at))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        .limit(1)
    ).first()
    return HeldCertificate(*row) if row else None


def certificate_counts(f: ReportFilter) -> CertificateCounts:
    """How many of the cohort's learners hold a valid certificate, and how many were revoked."""
    valid = Certificate.revoked_at.is_(None)
    held, revoked = db.session.execute(
        select(
            func.count(func.distinct(case((valid, Certificate.user_id)))),
            func.count(case((~valid, Certificate.id))),
        ).where(*_in_range(f))
    ).one()
    return CertificateCounts(int(held or 0), int(revoked or 0))
