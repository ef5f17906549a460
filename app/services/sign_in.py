"""Signing in safely without email (issue 12): growing delays after failed logins instead of a
hard lock, and one-time password-reset links an administrator or the learner's trainer hands
over."""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from app.extensions import db, limiter
from app.models import CohortMember, PasswordReset, User, utcnow
from app.services import accounts

FREE_FAILURES = 5  # failures allowed before any wait
MAX_DELAY_SECONDS = 60  # the longest wait, so nobody can lock an account out for long
FAILURE_MEMORY_SECONDS = 15 * 60  # a series of failures is forgotten this long after it began
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


def _keys(email: str) -> tuple[str, str]:
    """The counters of failures and of the current wait for this address, in the rate-limit
    storage (Redis when several processes serve): by address, not by account, so an address
    without an account waits exactly like one with (the waits tell nobody who has one)."""
    address = accounts.normalise_email(email)[:254]
    return f"rapport/login-failures/{address}", f"rapport/login-wait/{address}"


def _storage() -> Any:
    return limiter.limiter.storage  # the in-memory fallback while Redis is unreachable


def _storage_down() -> None:
    logging.getLogger("rapport.security").warning("login wait storage unavailable")


def wait_seconds(email: str) -> int:
    """How long this address must wait before its next login attempt (0: it may try now)."""
    _, wait_key = _keys(email)
    try:
        if not _storage().get(wait_key):
            return 0
        return max(1, math.ceil(_storage().get_expiry(wait_key) - time.time()))
    except Exception:  # the storage is down: the per-IP limit (in memory) still holds
        _storage_down()
        return 0


def note_failure(email: str) -> None:
    """Count a failed login for the address and start its wait, once it has earned one."""
    count_key, wait_key = _keys(email)
    try:
        delay = delay_after(_storage().incr(count_key, FAILURE_MEMORY_SECONDS))
        if delay:
            _storage().clear(wait_key)
            _storage().incr(wait_key, delay)
    except Exception:
        _storage_down()


def forget_failures(email: str) -> None:
    """A successful login (or a password reset) starts the count again."""
    try:
        for key in _keys(email):
            _storage().clear(key)
    except Exception:
        _storage_down()


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
    db.session.flush()
    forget_failures(user.email)
    return user
