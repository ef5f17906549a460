"""Certificates: the completion rules of course.yaml, issuing once, listing, verifying, revoking."""

from __future__ import annotations

import base64
import secrets

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from app.content import Catalogue
from app.content.course import Course
from app.extensions import db
from app.models import Attempt, Certificate, LessonRead, User, utcnow
from app.services.catalogue import get_catalogue

CODE_BYTES = 15  # 120 random bits, written as 24 base32 characters
MAX_REASON = 500


def new_code() -> str:
    """A random verification code: 24 characters of base32 (A-Z, 2-7), 120 bits."""
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")


def normalise_code(code: str) -> str:
    """A code as typed or printed (any case, spaces or hyphens) in its stored form."""
    return "".join(code.split()).replace("-", "").upper()[:64]


def rules_met(user_id: int, course: Course, catalogue: Catalogue) -> bool:
    """Whether the learner has done everything the course's completion rules ask (two queries)."""
    rules = course.completion
    if rules.every_lesson_read:
        read = set(
            db.session.execute(
                select(LessonRead.module_id, LessonRead.lesson_id).where(
                    LessonRead.user_id == user_id
                )
            ).tuples()
        )
        wanted = {(m.id, lesson.id) for m in catalogue.modules for lesson in m.lessons}
        if not wanted <= read:
            return False
    best: dict[str, tuple[int, int, bool]] = {}
    for quiz_id, count, best_percent, passed in db.session.execute(
        select(
            Attempt.quiz_id,
            func.count(Attempt.id),
            func.max(case((Attempt.max_score > 0, Attempt.score * 100 / Attempt.max_score))),
            func.max(case((Attempt.passed.is_(True), 1), else_=0)),
        )
        .where(Attempt.user_id == user_id)
        .group_by(Attempt.quiz_id)
    ):
        best[quiz_id] = (count, best_percent or 0, bool(passed))
    if rules.every_graded_quiz_passed and any(
        not best.get(quiz.id, (0, 0, False))[2]
        for quiz in catalogue.quizzes.values()
        if quiz.is_graded
    ):
        return False
    if any(quiz_id not in best for quiz_id in rules.self_assessments_taken):
        return False
    return all(best.get(q, (0, 0, False))[1] >= low for q, low in rules.minimum_scores.items())


def certificate_for(user_id: int, course_id: str) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user_id, Certificate.course_id == course_id
        )
    )


def issue_if_complete(user_id: int) -> Certificate | None:
    """Issue the learner's certificate when they have just met the rules; None otherwise.

    Returns only a certificate issued by this call, so the caller records "course completed" once.
    """
    catalogue = get_catalogue()
    course = catalogue.course
    if course is None or certificate_for(user_id, course.id) is not None:
        return None
    if not rules_met(user_id, course, catalogue):
        return None
    return issue(db.session.get(User, user_id), course)


def issue(user: User, course: Course) -> Certificate | None:
    """Store the certificate, once: None when one exists already (a concurrent submission may
    have issued it a moment ago; the unique key on user and course decides)."""
    certificate = Certificate(
        user_id=user.id,
        course_id=course.id,
        code=new_code(),
        learner_name=user.name,
        course_title=course.title,
        content_version=course.version,
        issued_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:
        return None
    return certificate


def certificates_of(user_id: int) -> list[Certificate]:
    """The learner's certificates, newest first."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user_id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def owned(user_id: int, certificate_id: int) -> Certificate | None:
    """The certificate if it belongs to this user; None otherwise (callers answer 404)."""
    certificate = db.session.get(Certificate, certificate_id)
    return certificate if certificate is not None and certificate.user_id == user_id else None


def by_code(code: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.code == normalise_code(code)))


def every_certificate(limit: int = 500) -> list[Certificate]:
    """The newest certificates, for the administrators' page."""
    return list(
        db.session.scalars(
            select(Certificate)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
            .limit(limit)
        )
    )


class RevocationRefused(ValueError):
    """The certificate cannot be revoked as asked (unknown code, no reason, revoked already)."""


def revoke(code: str, reason: str) -> Certificate:
    """Mark the certificate revoked, with the reason the verify page shows. Flushes only."""
    reason = " ".join(reason.split())
    if not reason:
        raise RevocationRefused("Give a reason for revoking the certificate.")
    if len(reason) > MAX_REASON:
        raise RevocationRefused(f"The reason is longer than {MAX_REASON} characters.")
    certificate = by_code(code)
    if certificate is None:
        raise RevocationRefused(f"No certificate has the code {normalise_code(code)}.")
    if certificate.revoked_at is not None:
        raise RevocationRefused("That certificate is revoked already.")
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason
    db.session.flush()
    return certificate
