"""Signing in safely without email (issue 12): growing delays after failed logins instead of a
hard lock, and one-time password-reset links an administrator or the learner's trainer hands
over."""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from app.extensions import db
from app.models import CohortMember, PasswordReset, User, utcnow
from app.services import accounts

FREE_FAILURES = 5  # failures allowed before any wait
MAX_DELAY_SECONDS = 60  # the longest wait, so nobody can lock an account out for long
RESET_HOURS = 24


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# ------------------------------------------------------------------------------ login delays


def delay_after(failures: int) -> int:
    """Seconds to wait after this many failures in a row: none for the first few, then 1, 2,
    4 … up to MAX_DELAY_SECONDS."""
    if failures < FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS)


def wait_seconds(email: str) -> int:
    """How long the account with this email must wait before the next try (0: may try now).
    An unknown email never waits, like any account without failures (the per-IP limit holds)."""
    user = accounts.user_by_email(email)
    if user is None or user.last_failed_login_at is None:
        return 0
    ready = user.last_failed_login_at + timedelta(seconds=delay_after(user.failed_logins))
    return max(0, math.ceil((ready - utcnow()).total_seconds()))


def note_failure(email: str) -> None:
    """Count a failed login against the account with this email, if there is one."""
    user = accounts.user_by_email(email)
    if user is None:
        return
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1, last_failed_login_at=utcnow())
    )
    db.session.expire(user, ["failed_logins", "last_failed_login_at"])


def note_success(user: User) -> None:
    if user.failed_logins or user.last_failed_login_at is not None:
        user.failed_logins = 0
        user.last_failed_login_at = None
        db.session.flush()


# ------------------------------------------------------------------------------ reset links


def may_issue_reset(actor: User, user: User) -> bool:
    """Administrators for anyone; a trainer for a learner of a cohort they train (never for
    another trainer or an administrator, whose accounts could then be taken over)."""
    if actor is None or not getattr(actor, "is_authenticated", True) or user.deleted_at:
        return False
    if actor.is_admin:
        return True
    if not actor.is_trainer or user.is_trainer:
        return False
    trained = select(CohortMember.cohort_id).where(
        CohortMember.user_id == actor.id, CohortMember.role == "trainer"
    )
    return (
        db.session.scalar(
            select(CohortMember.user_id).where(
                CohortMember.user_id == user.id,
                CohortMember.role == "learner",
                CohortMember.cohort_id.in_(trained),
            )
        )
        is not None
    )


def issue_reset(user: User, issued_by: User | None) -> str:
    """A new reset link's secret for the user, valid RESET_HOURS and once; only its hash is
    stored, and the user's earlier unused links stop working."""
    now = utcnow()
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    secret = secrets.token_urlsafe(32)
    db.session.add(
        PasswordReset(
            user_id=user.id,
            issued_by=issued_by.id if issued_by is not None else None,
            token_hash=_digest(secret),
            created_at=now,
            expires_at=now + timedelta(hours=RESET_HOURS),
        )
    )
    db.session.flush()
    logging.getLogger("rapport.security").info(
        "password reset link issued",
        extra={"user_id": user.id, "issued_by": issued_by.id if issued_by else "cli"},
    )
    return secret


def valid_reset(secret: str) -> PasswordReset | None:
    """The reset whose link this is, while it is unused and unexpired."""
    if not secret or len(secret) > 100:
        return None
    reset = db.session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == _digest(secret))
    )
    if reset is None or reset.used_at is not None or reset.expires_at < utcnow():
        return None
    return reset


def use_reset(secret: str, password: str) -> User:
    """Set the new password through the link (once): every session ends, failures are
    forgotten. AccountError when the link is not valid or the password is refused."""
    reset = valid_reset(secret)
    user = db.session.get(User, reset.user_id) if reset is not None else None
    if reset is None or user is None or not user.active:
        raise accounts.AccountError("token", "This reset link is not valid any more.")
    accounts.change_password(user, password)
    reset.used_at = utcnow()
    user.failed_logins = 0
    user.last_failed_login_at = None
    db.session.flush()
    return user
