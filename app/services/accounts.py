"""Accounts: registration, passwords, sign-in checks, API tokens, ending sessions, and the
administrators' rules for roles and deactivation."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from datetime import timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import Row, Update, bindparam, func, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import ApiToken, User, UserInvite, utcnow
from app.models.user import ROLES

PASSWORD_MIN = 12
PASSWORD_MAX = 128
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOKEN_PREFIX = "rpt_"  # noqa: S105 - a public prefix, not a secret
INVITE_DAYS = 14
API_TOKEN_USE_PRECISION = timedelta(hours=1)  # how stale an ApiToken.last_used_at may be
API_TOKEN_DAYS = 90  # the default lifetime of an API token (config RAPPORT_API_TOKEN_DAYS)


@cache
def _dummy_hash() -> str:
    """Checked when the email is unknown, so a wrong email costs the same time as a wrong
    password. Made on first use: a scrypt hash takes 32 MB and tens of milliseconds, which every
    worker would otherwise pay while starting."""
    return generate_password_hash(secrets.token_urlsafe(16), method="scrypt")


class AccountError(ValueError):
    """A request about an account that cannot be honoured; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def normalise_email(email: str) -> str:
    """Trimmed, Unicode-normalised and case-folded, so look-alike spellings are one address."""
    return unicodedata.normalize("NFKC", email or "").strip().casefold()


def email_problem(email: str) -> str | None:
    if not email:
        return "Enter your email address."
    if len(email) > 254 or not EMAIL_PATTERN.match(email):
        return "Enter a valid email address, like name@example.com."
    return None


@cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().casefold() for line in path.read_text().splitlines() if line)


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why a password is refused (length, or too easy to guess), or None. No composition rules."""
    if len(password) < PASSWORD_MIN:
        return f"Use at least {PASSWORD_MIN} characters."
    if len(password) > PASSWORD_MAX:
        return f"Use at most {PASSWORD_MAX} characters."
    folded = password.casefold()
    if folded in _common_passwords():
        return "That password is one of the most common ones; choose something less guessable."
    if len(set(folded)) <= 2:
        return "That password repeats the same characters; choose something less guessable."
    if email and folded in {normalise_email(email), normalise_email(email).split("@")[0]}:
        return "Do not use your email address as your password."
    if name and folded == name.strip().casefold():
        return "Do not use your name as your password."
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, name: str, password: str | None, role: str = "learner") -> User:
    """A new account. Without a password, the user must be invited to set one."""
    email = normalise_email(email)
    name = (name or "").strip()
    problem = email_problem(email)
    if problem:
        raise AccountError("email", problem)
    if not name:
        raise AccountError("name", "Enter your name.")
    if len(name) > 120:
        raise AccountError("name", "Use at most 120 characters for the name.")
    if role not in ROLES:
        raise AccountError("role", f"Unknown role {role!r}; use one of: {', '.join(ROLES)}.")
    if password is not None:
        problem = password_problem(password, email, name)
        if problem:
            raise AccountError("password", problem)
    if user_by_email(email) is not None:
        raise AccountError("email", "An account with this email already exists.")
    user = User(
        email=email,
        name=name,
        role=role,
        password_hash=hash_password(password) if password is not None else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def register(email: str, name: str, password: str) -> User | None:
    """A new learner account, or None when the email already has one: then nothing changes,
    and the caller answers as for a new account (no list of who has one). AccountError for
    what the person can correct (name, email format, password)."""
    try:
        return create_user(email, name, password)
    except AccountError as error:
        if error.field != "email" or user_by_email(email) is None:
            raise
    hash_password(password)  # the time a new account takes, so timing tells nothing either
    return None


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (the same for either mistake)."""
    user = user_by_email(email)
    if user is None or user.password_hash is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def change_password(user: User, new_password: str) -> None:
    problem = password_problem(new_password, user.email, user.name)
    if problem:
        raise AccountError("password", problem)
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)


def end_all_sessions(user: User) -> None:
    """Every session cookie issued before this moment stops working."""
    user.session_version += 1
    db.session.flush()


def set_role(user: User, role: str) -> None:
    if role not in ROLES:
        raise AccountError("role", f"Unknown role {role!r}; use one of: {', '.join(ROLES)}.")
    user.role = role
    db.session.flush()


def set_active(user: User, active: bool) -> None:
    user.active = active
    if not active:
        end_all_sessions(user)
    db.session.flush()


# Built once: on every page a logged-in person opens, making the statement and its cache key
# (as Session.get does) costs more than running it. A Core select of the user's columns, made
# into a User attached to the session, also skips the ORM's row loading (bench/request_cost.py).
_USER_FIELDS = tuple(User.__mapper__.columns.items())
_USER_ROW = select(*(column for _name, column in _USER_FIELDS)).where(
    User.__table__.c.id == bindparam("user_id")
)


def load_session_user(session_id: str) -> User | None:
    """The user a session cookie names, if that session has not been ended since."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    session = db.session()
    user = session.identity_map.get(identity_key(User, int(user_id)))
    if user is None:
        # Through the session's connection: Session.execute's ORM layer adds nothing to a
        # statement of plain columns but its cost.
        row = session.connection().execute(_USER_ROW, {"user_id": int(user_id)}).first()
        if row is None:
            return None
        user = _attached_user(session, row)
    if user.session_version != int(version) or not user.active:
        return None
    return user


def _attached_user(session: Session, row: Row) -> User:
    """The User of a row of _USER_ROW, in the session as if an ORM query had loaded it: changes
    to it are flushed, and later queries for it return this object."""
    user = User.__mapper__.class_manager.new_instance()
    user.__dict__.update(zip((name for name, _column in _USER_FIELDS), row, strict=True))
    make_transient_to_detached(user)  # its values become the loaded state; its key is set
    session.add(user)
    return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_api_token(user: User, label: str = "", days: int = API_TOKEN_DAYS) -> str:
    """A new API token for the user, valid `days`; only its hash is stored, so this is the one
    time it shows."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        ApiToken(
            user_id=user.id,
            token_hash=_digest(token),
            label=label[:80],
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    db.session.flush()
    return token


# Built once (it runs on every API call): building a statement costs more than running it.
_TOKEN_OWNER = (
    select(ApiToken, User)
    .join(User, User.id == ApiToken.user_id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.revoked_at.is_(None),
        ApiToken.expires_at > bindparam("now"),
    )
)


def api_token_owner(token: str) -> tuple[ApiToken, User] | None:
    """The token's row and its active user (one query); None for an unknown, revoked or expired
    token."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    found = db.session.execute(
        _TOKEN_OWNER, {"token_hash": _digest(token), "now": utcnow()}
    ).first()
    if found is None or not found[1].active:
        return None
    return found[0], found[1]


def api_token_use(row: ApiToken) -> Update | None:
    """The statement noting that the token is in use now, or None when its last noted use is
    recent: at most once an hour per token, so using the API does not write on every request.
    The row shows the new time at once; the caller runs the statement (see api/routes.py)."""
    now = utcnow()
    if row.last_used_at is not None and now - row.last_used_at <= API_TOKEN_USE_PRECISION:
        return None
    set_committed_value(row, "last_used_at", now)  # shown, but not flushed by this session
    return update(ApiToken.__table__).where(ApiToken.id == row.id).values(last_used_at=now)


def api_tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(
                ApiToken.user_id == user.id,
                ApiToken.revoked_at.is_(None),
                ApiToken.expires_at > utcnow(),
            )
            .order_by(ApiToken.created_at.desc())
        )
    )


def revoke_api_token(user: User, token_id: int) -> bool:
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    db.session.flush()
    return True


def create_invite(user: User) -> str:
    """A one-time secret that lets an invited user set their password within INVITE_DAYS."""
    secret = secrets.token_urlsafe(24)
    db.session.add(
        UserInvite(
            user_id=user.id,
            token_hash=_digest(secret),
            expires_at=utcnow() + timedelta(days=INVITE_DAYS),
        )
    )
    db.session.flush()
    return secret


def accept_invite(secret: str, password: str) -> User:
    invite = db.session.scalar(select(UserInvite).where(UserInvite.token_hash == _digest(secret)))
    if invite is None or invite.used_at is not None or invite.expires_at < utcnow():
        raise AccountError(
            "token", "This invitation link is not valid any more; ask for a new one."
        )
    user = db.session.get(User, invite.user_id)
    if user is None:
        raise AccountError(
            "token", "This invitation link is not valid any more; ask for a new one."
        )
    change_password(user, password)
    invite.used_at = utcnow()
    db.session.flush()
    return user


def invite_is_valid(secret: str) -> bool:
    invite = db.session.scalar(select(UserInvite).where(UserInvite.token_hash == _digest(secret)))
    return invite is not None and invite.used_at is None and invite.expires_at >= utcnow()


# ------------------------------------------------------------------------------ administrators


class RoleChangeRefused(AccountError):
    """An administrator would lock everyone out (the last active admin demoted or deactivated)."""

    def __init__(self, message: str) -> None:
        super().__init__("role", message)


def _other_active_admins(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == "admin", User.active.is_(True), User.id != user.id)
    )


def admin_set_role(user: User, role: str) -> None:
    """Change a role from the admin pages, refusing to remove the last active administrator."""
    if user.role == "admin" and role != "admin" and user.active and not _other_active_admins(user):
        raise RoleChangeRefused(
            "This is the only active administrator; make someone else one first."
        )
    set_role(user, role)


def admin_set_active(user: User, active: bool) -> None:
    """Deactivate or reactivate, refusing to deactivate the last active administrator."""
    if not active and user.role == "admin" and user.active and not _other_active_admins(user):
        raise RoleChangeRefused("This is the only active administrator; it cannot be deactivated.")
    set_active(user, active)


def users_page(query: str = "", page: int = 1, per_page: int = 50) -> tuple[list[User], int]:
    """Users whose name or email contains `query`, by email, and the total count."""
    statement = select(User).where(User.deleted_at.is_(None))
    query = (query or "").strip()
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            User.email.ilike(pattern, escape="\\") | User.name.ilike(pattern, escape="\\")
        )
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    users = db.session.scalars(
        statement.order_by(User.email).limit(per_page).offset((max(page, 1) - 1) * per_page)
    )
    return list(users), int(total or 0)
