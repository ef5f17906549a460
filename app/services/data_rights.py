"""Learners' data rights: every table holding a person's data, their export, and account deletion.

REGISTRY is the one place that names each table with a column pointing at a user, and says how
an export shows it and what deleting the account does to it. A test walks the models and fails
when a table that refers to `user.id` is missing here, so export and deletion never skip data.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Table, and_, delete, exists, func, or_, select, update

from app.extensions import db
from app.models import User, utcnow
from app.services.reporting import hooks

EXPORT_FORMAT = "rapport-personal-data/1"
ANSWER_POLICIES = ("anonymise", "remove")
PLACEHOLDER_NAME = "Deleted account"
PLACEHOLDER_EMAIL_DOMAIN = "deleted.invalid"  # .invalid can never be a real address (RFC 2606)

# delete: the rows go with the account.
# statistics: what cohort statistics are made of (attempts and their answers, lessons read,
#          learner memberships). With DELETED_ACCOUNT_ANSWERS = "anonymise" they move to a new
#          placeholder account with no name, email or password, so every figure keeps counting
#          them; with "remove" they are deleted.
# detach: the rows belong to something shared (a cohort, say); only the reference is cleared.
OnDelete = Literal["delete", "statistics", "detach"]


@dataclass(frozen=True)
class PersonalData:
    """One table holding a person's data, and how export and deletion treat it."""

    table: str
    column: str  # the column that names the user
    on_delete: OnDelete
    description: str
    secret_columns: tuple[str, ...] = ()  # never exported (hashes of secrets, internals)
    scrub_columns: tuple[str, ...] = ()  # cleared when the rows are anonymised
    children: tuple[tuple[str, str], ...] = ()  # (table, column naming a row of this table)
    # statistics rows: only those whose column has this value are kept; the others are deleted.
    kept_when: tuple[str, str] | None = None

    @property
    def section(self) -> str:
        """The entry's name in an export: the table, or table.column for a second reference
        to the person in the same table (the one who sent an invitation, say)."""
        shared = sum(entry.table == self.table for entry in REGISTRY) > 1
        if not shared or self.column in ("id", "user_id"):
            return self.table
        return f"{self.table}.{self.column}"


REGISTRY: tuple[PersonalData, ...] = (
    PersonalData(
        "user",
        "id",
        "delete",
        "Your account: name, email address, role and when it was created.",
        secret_columns=("password_hash", "session_version"),
    ),
    PersonalData(
        "api_token",
        "user_id",
        "delete",
        "The API tokens you created (their secret is never stored, only a hash).",
        secret_columns=("token_hash",),
    ),
    PersonalData(
        "user_invite",
        "user_id",
        "delete",
        "Invitations sent to you to set a password.",
        secret_columns=("token_hash",),
    ),
    PersonalData(
        "password_reset",
        "user_id",
        "delete",
        "Password-reset links issued for your account (only a hash of each is stored).",
        secret_columns=("token_hash",),
    ),
    PersonalData(
        "password_reset",
        "issued_by",
        "detach",
        "Password-reset links you issued for others (you are no longer named on them).",
        secret_columns=("token_hash",),
    ),
    # Issue 12: invitations to a cohort, which you accept or decline.
    PersonalData(
        "cohort_invitation",
        "user_id",
        "delete",
        "Invitations to join a cohort, and whether you accepted or declined each.",
        secret_columns=("token_hash",),
    ),
    PersonalData(
        "cohort_invitation",
        "invited_by",
        "detach",
        "Invitations you sent as a trainer (you are no longer named on them).",
        secret_columns=("token_hash",),
    ),
    PersonalData(
        "cohort_member",
        "user_id",
        "statistics",
        "The cohorts (groups) you belong to, and your role in each.",
        kept_when=("role", "learner"),
    ),
    PersonalData(
        "lesson_read",
        "user_id",
        "statistics",
        "The lessons you opened, and when you first opened each.",
    ),
    PersonalData(
        "attempt",
        "user_id",
        "statistics",
        "Every quiz you submitted: the score, the result, and each answer you chose.",
        secret_columns=("request_fingerprint",),
        scrub_columns=("idempotency_key", "request_fingerprint", "started_at"),
        children=(("answer", "attempt_id"),),
    ),
    # Totals computed from the rows above (app/models/summary.py), kept and moved with them.
    PersonalData(
        "learner_quiz",
        "user_id",
        "statistics",
        "Per quiz: how many times you took it, your best score, whether you passed.",
    ),
    PersonalData(
        "learner_week",
        "user_id",
        "statistics",
        "Per week: how many lessons you opened and quizzes you submitted.",
    ),
    PersonalData(
        "learner_progress",
        "user_id",
        "statistics",
        "The modules you started and completed.",
    ),
    PersonalData(
        "learner_concept",
        "user_id",
        "statistics",
        "Per concept of the course: how many questions on it you got right before and after its"
        " lessons.",
    ),
    # Issue 13: a certificate goes with its holder (its verify link then answers "not found"),
    # and so do the xAPI statements about them, sent or not.
    PersonalData(
        "certificate",
        "user_id",
        "delete",
        "Your course certificates: the name, course and date on each, and its verification code.",
    ),
    PersonalData(
        "xapi_statement",
        "user_id",
        "delete",
        "Learning records (xAPI statements) about you, for your organisation's record store.",
        secret_columns=("claimed_by", "claimed_until"),
    ),
    # Issue 14: decisions an admin took on changed questions stay (they explain reports' figures);
    # only who took them is forgotten.
    PersonalData(
        "content_decision",
        "decided_by_id",
        "detach",
        "Decisions you took, as an administrator, on answers to changed quiz questions.",
        secret_columns=("changes",),
    ),
)


class DeletionRefused(ValueError):
    """The account cannot be deleted (it is the last administrator, for instance)."""


def registry_entries() -> dict[tuple[str, str], PersonalData]:
    """The registry keyed by (table, column)."""
    return {(entry.table, entry.column): entry for entry in REGISTRY}


def _table(name: str) -> Table:
    return db.metadata.tables[name]


def _rows(table: Table, where: Any, hidden: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    shown = [column for column in table.columns if column.name not in hidden]
    query = select(*shown).where(where).order_by(*table.primary_key.columns)
    return [dict(row._mapping) for row in db.session.execute(query)]


def export_user_data(user_id: int) -> dict[str, Any]:
    """Everything stored about the user, one section per registry entry: JSON once its dates
    and times are written (the app's JSON provider writes them as ISO 8601, UTC)."""
    sections: dict[str, Any] = {}
    for entry in REGISTRY:
        table = _table(entry.table)
        hidden = entry.secret_columns + ((entry.column,) if entry.table != "user" else ())
        rows = _rows(table, table.c[entry.column] == user_id, hidden)
        for child_name, child_column in entry.children:
            child = _table(child_name)
            for row in rows:
                row[child_name + "s"] = _rows(
                    child, child.c[child_column] == row["id"], (child_column,)
                )
        sections[entry.section] = rows[0] if entry.table == "user" and rows else rows
    return {
        "format": EXPORT_FORMAT,
        "exported_at": utcnow(),
        "user_id": user_id,
        "about": {entry.section: entry.description for entry in REGISTRY},
        "data": sections,
    }


def can_delete(user: User) -> str | None:
    """Why this account may not be deleted now, or None."""
    if user.role == "admin":
        others = db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == "admin", User.active.is_(True), User.id != user.id)
        )
        if not others:
            return "You are the only administrator: make someone else an administrator first."
    return None


def delete_account(user: User, answers: str) -> dict[str, int]:
    """Delete the account and, per the registry, every row about the user. Flushes only.

    `answers` is the DELETED_ACCOUNT_ANSWERS setting: "anonymise" hands the rows cohort
    statistics are made of to a new placeholder account (see `OnDelete`), "remove" deletes them.
    Returns rows affected per table.
    """
    if answers not in ANSWER_POLICIES:
        raise ValueError(f"answers must be one of {ANSWER_POLICIES}, not {answers!r}")
    problem = can_delete(user)
    if problem:
        raise DeletionRefused(problem)
    user_id = user.id
    db.session.flush()
    placeholder_id = _placeholder_for(user_id) if answers == "anonymise" else None
    if placeholder_id is None:  # nothing moves to a placeholder: the cohorts lose the learner
        hooks.leaving_every_cohort(user_id)
    affected: dict[str, int] = {}
    for entry in [e for e in REGISTRY if e.table != "user"] + [
        e for e in REGISTRY if e.table == "user"
    ]:
        table = _table(entry.table)
        mine = table.c[entry.column] == user_id
        if entry.on_delete == "detach":
            cleared = {entry.column: None, **{name: None for name in entry.scrub_columns}}
            result = db.session.execute(update(table).where(mine).values(**cleared))
            affected[entry.table] = affected.get(entry.table, 0) + result.rowcount
            continue
        if entry.on_delete == "statistics" and placeholder_id is not None:
            kept = mine
            if entry.kept_when is not None:
                column, value = entry.kept_when
                kept = and_(mine, table.c[column] == value)
            moved = {entry.column: placeholder_id, **{name: None for name in entry.scrub_columns}}
            result = db.session.execute(update(table).where(kept).values(**moved))
            affected[entry.table] = affected.get(entry.table, 0) + result.rowcount
        for child_name, child_column in entry.children:
            child = _table(child_name)
            ids = select(table.c.id).where(mine)
            removed = db.session.execute(delete(child).where(child.c[child_column].in_(ids)))
            affected[child_name] = affected.get(child_name, 0) + removed.rowcount
        result = db.session.execute(delete(table).where(mine))
        affected[entry.table] = affected.get(entry.table, 0) + result.rowcount
    return affected


def _placeholder_for(user_id: int) -> int | None:
    """A new placeholder account for the user's statistics, or None when they have none."""
    has_statistics = db.session.scalar(
        select(
            or_(
                exists().where(_table("attempt").c.user_id == user_id),
                exists().where(_table("lesson_read").c.user_id == user_id),
            )
        )
    )
    if not has_statistics:
        return None
    placeholder = User(
        email=f"{secrets.token_hex(8)}@{PLACEHOLDER_EMAIL_DOMAIN}",
        name=PLACEHOLDER_NAME,
        password_hash=None,
        role="learner",
        active=False,
        deleted_at=utcnow(),
    )
    db.session.add(placeholder)
    db.session.flush()
    return placeholder.id
