"""Sending queued xAPI statements to the learning record store, safely from several processes.

A sender claims a batch (a lease in `claimed_until`; on PostgreSQL the rows are also read with
FOR UPDATE SKIP LOCKED, on SQLite the claiming transaction holds the write lock), commits, posts
it outside any transaction, then marks it sent or schedules a retry with a doubling wait. A sender
that dies mid-batch only delays its rows until the lease ends; the LRS sees the same statement
ids again and keeps one copy of each.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update

from app.extensions import db
from app.models import XapiStatement, utcnow

LEASE = timedelta(minutes=2)
MAX_WAIT = timedelta(hours=1)
TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Lrs:
    endpoint: str  # the xAPI base, ending in /
    username: str
    password: str

    @property
    def statements_url(self) -> str:
        return self.endpoint.rstrip("/") + "/statements"


@dataclass(frozen=True)
class Status:
    pending: int
    in_flight: int  # claimed by a sender right now
    waiting_to_retry: int
    sent: int
    oldest_pending: datetime | None
    last_error: str | None


def _due(now: datetime) -> Any:
    return (
        XapiStatement.sent_at.is_(None),
        or_(XapiStatement.next_try_at.is_(None), XapiStatement.next_try_at <= now),
        or_(XapiStatement.claimed_until.is_(None), XapiStatement.claimed_until < now),
    )


def claim(worker: str, size: int) -> list[XapiStatement]:
    """Claim up to `size` due statements for this worker, oldest first. Flushes; commit next."""
    now = utcnow()
    rows = list(
        db.session.scalars(
            select(XapiStatement)
            .where(*_due(now))
            .order_by(XapiStatement.id)
            .limit(size)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite's write lock does the same
        )
    )
    for row in rows:
        row.claimed_until = now + LEASE
        row.claimed_by = worker
    db.session.flush()
    return rows


def post(lrs: Lrs, statements: list[dict[str, Any]]) -> str | None:
    """POST the statements; None when the LRS took them, else what went wrong."""
    secret = base64.b64encode(f"{lrs.username}:{lrs.password}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 - the operator's configured http(s) endpoint
        lrs.statements_url,
        data=json.dumps(statements).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Experience-API-Version": "1.0.3",
            "Authorization": f"Basic {secret}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            # 200: stored; 204: every id was stored already (a resend after a lost answer).
            return None if response.status in (200, 204) else f"HTTP {response.status}"
    except urllib.error.HTTPError as error:
        if error.code == 409 and len(statements) == 1:
            return None  # the LRS holds this statement id already: an earlier send arrived
        body = error.read(300).decode("utf-8", "replace")
        return f"HTTP {error.code}: {body}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return f"{type(error).__name__}: {error}"


def send_batch(lrs: Lrs, rows: list[XapiStatement]) -> str | None:
    """Post a claimed batch; on a 409 (some ids already stored) post them one by one."""
    problem = post(lrs, [row.statement for row in rows])
    if problem and problem.startswith("HTTP 409") and len(rows) > 1:
        problems = [post(lrs, [row.statement]) for row in rows]
        problem = next((p for p in problems if p), None)
    return problem


def finish(worker: str, ids: list[int], problem: str | None, retry_seconds: int) -> None:
    """Mark this worker's claimed rows sent, or count the failure and set the next try."""
    now = utcnow()
    mine = (XapiStatement.id.in_(ids), XapiStatement.claimed_by == worker)
    if problem is None:
        db.session.execute(
            update(XapiStatement)
            .where(*mine)
            .values(sent_at=now, claimed_until=None, claimed_by=None, last_error=None)
        )
        return
    for row in db.session.scalars(select(XapiStatement).where(*mine)):
        row.tries += 1
        wait = min(timedelta(seconds=retry_seconds * 2 ** (row.tries - 1)), MAX_WAIT)
        row.next_try_at = now + wait
        row.claimed_until = row.claimed_by = None
        row.last_error = problem[:500]
    db.session.flush()


def status() -> Status:
    now = utcnow()
    pending, in_flight, waiting, oldest = db.session.execute(
        select(
            func.count(XapiStatement.id),
            func.count(XapiStatement.claimed_until).filter(XapiStatement.claimed_until >= now),
            func.count(XapiStatement.next_try_at).filter(XapiStatement.next_try_at > now),
            func.min(XapiStatement.created_at),
        ).where(XapiStatement.sent_at.is_(None))
    ).one()
    sent = db.session.scalar(
        select(func.count(XapiStatement.id)).where(XapiStatement.sent_at.is_not(None))
    )
    last_error = db.session.scalar(
        select(XapiStatement.last_error)
        .where(XapiStatement.sent_at.is_(None), XapiStatement.last_error.is_not(None))
        .order_by(XapiStatement.id.desc())
        .limit(1)
    )
    return Status(pending, in_flight, waiting, sent, oldest, last_error)
