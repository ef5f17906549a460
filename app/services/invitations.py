"""Invitations to a cohort (issue 12, consent): a trainer who adds someone invites them; the
person accepts or declines. Until they accept they are not a member, so nothing of theirs is in
any report, drill-down, API answer or CSV of that cohort. Joining with a code is consent too."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Cohort, CohortInvitation, CohortMember, User, utcnow

LINK_DAYS = 14  # the personal link (to set a first password) works this long; the invitation stays
# What a learner agrees to, in one sentence: shown on the join page and on every invitation.
CONSENT_TEXT = (
    "The cohort's trainers will see your name and email, the lessons you have read, your quiz "
    "scores and certificate, and each answer you submit from the day you join; not the answers "
    "you gave before joining."
)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def invite(cohort: Cohort, user: User, invited_by: User | None) -> str:
    """A pending invitation of `user` to the cohort (a new one, or one declined before, renewed)
    and the secret of its personal link; the caller has checked the user is not a member."""
    secret = secrets.token_urlsafe(24)
    invitation = db.session.scalar(
        select(CohortInvitation).where(
            CohortInvitation.cohort_id == cohort.id, CohortInvitation.user_id == user.id
        )
    )
    if invitation is None:
        invitation = CohortInvitation(cohort_id=cohort.id, user_id=user.id)
        db.session.add(invitation)
    invitation.invited_by = invited_by.id if invited_by is not None else None
    invitation.token_hash = _digest(secret)
    invitation.state = "pending"
    invitation.created_at = utcnow()
    invitation.answered_at = None
    db.session.flush()
    return secret


@dataclass(frozen=True)
class InvitationView:
    """A pending invitation as its invitee sees it."""

    id: int
    cohort_name: str
    cohort_description: str
    trainers: list[str]
    invited_at: datetime


def pending_for(user_id: int) -> list[InvitationView]:
    """The user's invitations still waiting for an answer, newest first."""
    rows = db.session.execute(
        select(CohortInvitation, Cohort)
        .join(Cohort, Cohort.id == CohortInvitation.cohort_id)
        .where(CohortInvitation.user_id == user_id, CohortInvitation.state == "pending")
        .order_by(CohortInvitation.created_at.desc(), CohortInvitation.id.desc())
    ).all()
    views = []
    for invitation, cohort in rows:
        trainers = db.session.scalars(
            select(User.name)
            .join(CohortMember, CohortMember.user_id == User.id)
            .where(CohortMember.cohort_id == cohort.id, CohortMember.role == "trainer")
            .order_by(User.name)
        )
        views.append(
            InvitationView(
                invitation.id,
                cohort.name,
                cohort.description,
                list(trainers),
                invitation.created_at,
            )
        )
    return views


def pending_invitation(user_id: int, invitation_id: int) -> CohortInvitation | None:
    """The user's own invitation if it still waits for an answer; None otherwise."""
    invitation = db.session.get(CohortInvitation, invitation_id)
    if invitation is None or invitation.user_id != user_id or invitation.state != "pending":
        return None
    return invitation


def record_answer(invitation: CohortInvitation, accept: bool) -> None:
    """Note the answer; cohorts.answer_invitation makes an accepting person a member."""
    invitation.state = "accepted" if accept else "declined"
    invitation.answered_at = utcnow()
    db.session.flush()


def by_link(secret: str) -> CohortInvitation | None:
    """The pending invitation whose personal link this is, while the link is valid."""
    if not secret or len(secret) > 100:
        return None
    invitation = db.session.scalar(
        select(CohortInvitation).where(CohortInvitation.token_hash == _digest(secret))
    )
    if invitation is None or invitation.state != "pending":
        return None
    if invitation.created_at + timedelta(days=LINK_DAYS) < utcnow():
        return None
    return invitation


@dataclass(frozen=True)
class SentInvitation:
    """An invitation as the cohort's trainers see it: the address, never the account's name."""

    id: int
    email: str
    state: str
    invited_at: datetime


def sent_for(cohort: Cohort) -> list[SentInvitation]:
    """Invitations of the cohort not (or not yet) accepted, newest first."""
    rows = db.session.execute(
        select(CohortInvitation.id, User.email, CohortInvitation.state, CohortInvitation.created_at)
        .join(User, User.id == CohortInvitation.user_id)
        .where(CohortInvitation.cohort_id == cohort.id, CohortInvitation.state != "accepted")
        .order_by(CohortInvitation.created_at.desc(), User.email)
    )
    return [SentInvitation(*row) for row in rows]


def withdraw(cohort: Cohort, invitation_id: int) -> bool:
    """Take back a pending invitation of the cohort: the person no longer sees it and can no
    longer accept it, nor use its personal link. False when the cohort has no such invitation
    waiting for an answer (an accepted one made a member: remove the member instead)."""
    invitation = db.session.get(CohortInvitation, invitation_id)
    if invitation is None or invitation.cohort_id != cohort.id or invitation.state != "pending":
        return False
    db.session.delete(invitation)
    db.session.flush()
    return True
