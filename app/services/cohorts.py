"""Cohorts: who trains and who learns in each, join codes, adding learners, and the access rule."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, delete, func, select

from app.extensions import db
from app.models import Cohort, CohortInvitation, CohortMember, User, utcnow
from app.services import accounts, invitations
from app.services.learner_lists import Person
from app.services.reporting import hooks

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L to misread
CODE_LENGTH = 8
NAME_MAX = 120
DESCRIPTION_MAX = 2000
MAX_LEARNERS_AT_ONCE = 1000


class CohortError(ValueError):
    """A cohort request that cannot be honoured; nothing was stored. `problems` lists details."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


# ------------------------------------------------------------------------------ access rule


def can_train(user: User, cohort_id: int) -> bool:
    """The one access rule: admins see every cohort, trainers only the cohorts they train."""
    if user is None or not getattr(user, "is_authenticated", True) or not user.is_trainer:
        return False
    if user.is_admin:
        return True
    role = db.session.scalar(
        select(CohortMember.role).where(
            CohortMember.cohort_id == cohort_id, CohortMember.user_id == user.id
        )
    )
    return role == "trainer"


def cohort_for(user: User, cohort_id: int) -> Cohort | None:
    """The cohort if `user` may see it; None otherwise (callers answer 404 either way)."""
    if not can_train(user, cohort_id):
        return None
    return db.session.get(Cohort, cohort_id)


def learner_of(cohort: Cohort, user_id: int) -> User | None:
    """The user if they are a learner of this cohort; None otherwise."""
    return db.session.scalar(
        select(User)
        .join(CohortMember, CohortMember.user_id == User.id)
        .where(
            CohortMember.cohort_id == cohort.id,
            CohortMember.user_id == user_id,
            CohortMember.role == "learner",
        )
    )


@dataclass(frozen=True)
class CohortSummary:
    cohort: Cohort
    learners: int
    trainers: int


def cohorts_for(user: User) -> list[CohortSummary]:
    """The cohorts the user trains (every cohort for an admin, none for a learner)."""
    if not user.is_trainer:
        return []
    learners = func.sum(case((CohortMember.role == "learner", 1), else_=0))
    trainers = func.sum(case((CohortMember.role == "trainer", 1), else_=0))
    query = (
        select(Cohort, func.coalesce(learners, 0), func.coalesce(trainers, 0))
        .outerjoin(CohortMember, CohortMember.cohort_id == Cohort.id)
        .group_by(Cohort.id)
        .order_by(Cohort.created_at.desc(), Cohort.id.desc())
    )
    if not user.is_admin:
        mine = select(CohortMember.cohort_id).where(
            CohortMember.user_id == user.id, CohortMember.role == "trainer"
        )
        query = query.where(Cohort.id.in_(mine))
    return [CohortSummary(c, int(n), int(t)) for c, n, t in db.session.execute(query)]


def cohorts_joined(user_id: int) -> list[Cohort]:
    """The cohorts a user learns in."""
    return list(
        db.session.scalars(
            select(Cohort)
            .join(CohortMember, CohortMember.cohort_id == Cohort.id)
            .where(CohortMember.user_id == user_id, CohortMember.role == "learner")
            .order_by(Cohort.name)
        )
    )


# ------------------------------------------------------------------------------ cohorts


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(Cohort.id).where(Cohort.join_code == code)) is None:
            return code


def normalise_code(code: str) -> str:
    """Upper case without spaces or dashes, so 'abcd-efgh' and 'ABCDEFGH' are one code."""
    return re.sub(r"[\s-]+", "", code or "").upper()


def _check_name(name: str, description: str) -> tuple[str, str]:
    name = (name or "").strip()
    description = (description or "").strip()
    if not name:
        raise CohortError("Give the cohort a name.")
    if len(name) > NAME_MAX:
        raise CohortError(f"Use at most {NAME_MAX} characters for the name.")
    if len(description) > DESCRIPTION_MAX:
        raise CohortError(f"Use at most {DESCRIPTION_MAX} characters for the description.")
    return name, description


def create_cohort(trainer: User, name: str, description: str = "") -> Cohort:
    """A new cohort with a fresh join code, trained by `trainer`."""
    if not trainer.is_trainer:
        raise CohortError(f"{trainer.email} is not a trainer; make them one first.")
    name, description = _check_name(name, description)
    cohort = Cohort(name=name, description=description, join_code=_new_code(), created_at=utcnow())
    db.session.add(cohort)
    db.session.flush()
    db.session.add(CohortMember(cohort_id=cohort.id, user_id=trainer.id, role="trainer"))
    db.session.flush()
    return cohort


def update_cohort(cohort: Cohort, name: str, description: str) -> None:
    cohort.name, cohort.description = _check_name(name, description)
    db.session.flush()


def new_join_code(cohort: Cohort) -> str:
    """Replace the join code (the old one stops working at once), e.g. after it leaked."""
    cohort.join_code = _new_code()
    db.session.flush()
    return cohort.join_code


def cohort_by_code(code: str) -> Cohort | None:
    code = normalise_code(code)
    if not code or len(code) > 16:
        return None
    return db.session.scalar(select(Cohort).where(Cohort.join_code == code))


def join_cohort(user: User, code: str) -> tuple[Cohort, bool]:
    """Join the cohort with this code as a learner; (cohort, False) when already a member."""
    cohort = cohort_by_code(code)
    if cohort is None:
        raise CohortError("No cohort has this code. Check it with your trainer.")
    return cohort, add_member(cohort, user.id, "learner")


def answer_invitation(invitation: CohortInvitation, accept: bool) -> Cohort:
    """The invitee accepts (and becomes a learner of the cohort) or declines (nothing else
    changes)."""
    invitations.record_answer(invitation, accept)
    cohort = db.session.get(Cohort, invitation.cohort_id)
    if accept:
        add_member(cohort, invitation.user_id, "learner")
    return cohort


def add_member(cohort: Cohort, user_id: int, role: str) -> bool:
    """Make the user a member (a trainer outranks a learner); False when nothing changed."""
    member = db.session.get(CohortMember, (cohort.id, user_id))
    if member is not None:
        if role == "trainer" and member.role != "trainer":
            member.role = "trainer"
            db.session.flush()
            hooks.learners_left(cohort.id, [user_id])
            return True
        return False
    db.session.add(CohortMember(cohort_id=cohort.id, user_id=user_id, role=role))
    db.session.flush()
    if role == "learner":
        hooks.learners_joined(cohort.id, [user_id])
    return True


@dataclass(frozen=True)
class Members:
    trainers: list[User]
    learners: list[tuple[User, datetime]]  # with the time they joined


def members_of(cohort: Cohort) -> Members:
    rows = db.session.execute(
        select(User, CohortMember.role, CohortMember.joined_at)
        .join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == cohort.id)
        .order_by(User.name, User.id)
    )
    trainers, learners = [], []
    for user, role, joined in rows:
        if role == "trainer":
            trainers.append(user)
        else:
            learners.append((user, joined))
    return Members(trainers, learners)


def remove_learner(cohort: Cohort, user_id: int) -> bool:
    """Take a learner out of the cohort (their account and answers stay)."""
    result = db.session.execute(
        delete(CohortMember).where(
            CohortMember.cohort_id == cohort.id,
            CohortMember.user_id == user_id,
            CohortMember.role == "learner",
        )
    )
    db.session.flush()
    if result.rowcount:
        hooks.learners_left(cohort.id, [user_id])
    return bool(result.rowcount)


def add_trainer(cohort: Cohort, email: str) -> User:
    """Make an existing trainer (or admin) a co-trainer of the cohort."""
    user = accounts.user_by_email(email)
    if user is None or not user.is_trainer:
        # One answer for "no account" and "a learner's account": no list of who has one.
        raise CohortError(
            f"{accounts.normalise_email(email)} is not a trainer's account. Co-trainers need an "
            "account with the trainer role first (an administrator gives it)."
        )
    add_member(cohort, user.id, "trainer")
    return user


def remove_trainer(cohort: Cohort, user_id: int) -> None:
    trainers = db.session.scalars(
        select(CohortMember).where(
            CohortMember.cohort_id == cohort.id, CohortMember.role == "trainer"
        )
    ).all()
    target = next((m for m in trainers if m.user_id == user_id), None)
    if target is None:
        raise CohortError("That person is not a trainer of this cohort.")
    if len(trainers) == 1:
        raise CohortError("A cohort needs at least one trainer; add another one first.")
    db.session.delete(target)
    db.session.flush()


# ------------------------------------------------------------------------------ adding learners


@dataclass
class AddResult:
    added: list[User] = field(default_factory=list)  # made members at once (the operator's CLI)
    # (email, the name typed for it, secret of the personal link): everyone invited, whether
    # they had an account or not, so the trainer learns nothing about who has one.
    invited: list[tuple[str, str, str]] = field(default_factory=list)
    new_accounts: list[tuple[User, str]] = field(default_factory=list)  # CLI: password links
    already: list[User] = field(default_factory=list)  # were members before


def _name_from_email(email: str) -> str:
    local = email.split("@", 1)[0]
    words = [w for w in re.split(r"[._+-]+", local) if w]
    return " ".join(w.capitalize() for w in words)[:NAME_MAX] or email[:NAME_MAX]


def _wanted(people: list[Person]) -> dict[str, Person]:
    """The people by normalised email, or CohortError listing every line that is wrong."""
    if not people:
        raise CohortError("Enter at least one email address.")
    if len(people) > MAX_LEARNERS_AT_ONCE:
        raise CohortError(f"Add at most {MAX_LEARNERS_AT_ONCE} learners at a time.")
    problems: list[str] = []
    wanted: dict[str, Person] = {}
    for person in people:
        email = accounts.normalise_email(person.email)
        problem = accounts.email_problem(email)
        if problem:
            problems.append(f"{person.email[:80] or '(empty)'}: {problem}")
        elif len(person.name) > NAME_MAX:
            problems.append(f"{email}: the name is longer than {NAME_MAX} characters.")
        elif email not in wanted:
            wanted[email] = Person(person.name, email)
    if problems:
        raise CohortError("Nothing was added; correct these lines and try again.", problems[:50])
    return wanted


def add_learners(
    cohort: Cohort, people: list[Person], invited_by: User | None = None, direct: bool = False
) -> AddResult:
    """Invite these people to the cohort, creating accounts (without a password) for unknown
    emails. A trainer's list only invites: each person becomes a learner when they accept.
    `direct` (the operator's CLI) adds them at once instead.

    All or nothing: when any line is wrong, CohortError lists every problem and nothing is stored.
    """
    wanted = _wanted(people)
    existing = {
        user.email: user
        for user in db.session.scalars(select(User).where(User.email.in_(list(wanted))))
    }
    members = set(
        db.session.scalars(select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id))
    )
    result = AddResult()
    for email, person in wanted.items():
        user = existing.get(email)
        if user is not None and user.id in members:
            result.already.append(user)
            continue
        if user is None:
            user = accounts.create_user(email, person.name or _name_from_email(email), None)
            if direct:
                result.new_accounts.append((user, accounts.create_invite(user)))
        elif direct:
            result.added.append(user)
        if direct:
            db.session.add(CohortMember(cohort_id=cohort.id, user_id=user.id, role="learner"))
        else:
            result.invited.append(
                (email, person.name, invitations.invite(cohort, user, invited_by))
            )
    db.session.flush()
    hooks.learners_joined(cohort.id, [user.id for user in result.added])
    return result


def add_learners_by_email(cohort: Cohort, emails: list[str]) -> AddResult:
    """The CLI's `cohorts add`, run by an operator: adds at once, without an invitation."""
    return add_learners(cohort, [Person("", email) for email in emails], direct=True)


def all_cohorts() -> list[tuple[Cohort, int]]:
    """Every cohort with its number of learners, oldest first (for the CLI)."""
    learners = func.sum(case((CohortMember.role == "learner", 1), else_=0))
    rows = db.session.execute(
        select(Cohort, func.coalesce(learners, 0))
        .outerjoin(CohortMember, CohortMember.cohort_id == Cohort.id)
        .group_by(Cohort.id)
        .order_by(Cohort.id)
    )
    return [(cohort, int(n)) for cohort, n in rows]
