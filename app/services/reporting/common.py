"""What every report figure shares: the filter a report takes, dates and weeks, the two
databases' spellings, and the upserts that add amounts to the summary tables."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from functools import cache
from typing import Any

from sqlalchemy import Table, TextClause, bindparam, func, literal, select, text
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.models import Attempt, CohortMember, LessonRead, utcnow

# Key columns of a summary table → amounts to add, in the table's column order.
Deltas = dict[tuple, list[float]]
Execute = Callable[[Any, list[dict[str, Any]]], Any]


class ReportFilterError(ValueError):
    """A date range that cannot be used (unreadable, or ending before it starts)."""


# Reports cover dates in this range: far enough either way for any course, and every day in it
# has a next day (9999-12-31 + 1 day overflowed into a 500).
FIRST_DATE = date(1970, 1, 1)
LAST_DATE = date(2999, 12, 31)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _report_date(label: str, value: str) -> date:
    """A date written YYYY-MM-DD within FIRST_DATE..LAST_DATE, or ReportFilterError."""
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(value)
        found = date.fromisoformat(value)
    except ValueError:
        raise ReportFilterError(
            f"Write the '{label}' date as year-month-day, like 2024-05-31."
        ) from None
    if not FIRST_DATE <= found <= LAST_DATE:
        raise ReportFilterError(
            f"Choose a '{label}' date from {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}."
        )
    return found


@dataclass(frozen=True)
class ReportFilter:
    """The cohort and the dates a report covers; both dates are included, None means open."""

    cohort_id: int
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def parse(
        cls,
        cohort_id: int,
        date_from: str | None,
        date_to: str | None,
        allow_empty: bool = True,
    ) -> ReportFilter:
        """From dates written YYYY-MM-DD, as a form or a query string gives them. A missing
        date (None) is open; so is an empty one when `allow_empty` (a form's empty field; the
        API, whose document says `format: date`, refuses it)."""
        dates: list[date | None] = []
        for label, value in (("from", date_from), ("to", date_to)):
            if value is None or (allow_empty and not value.strip()):
                dates.append(None)
                continue
            dates.append(_report_date(label, value.strip()))
        if dates[0] and dates[1] and dates[1] < dates[0]:
            raise ReportFilterError("Choose a 'to' date on or after the 'from' date.")
        return cls(cohort_id, dates[0], dates[1])

    @property
    def start(self) -> datetime | None:
        return datetime.combine(self.date_from, datetime.min.time()) if self.date_from else None

    @property
    def end(self) -> datetime | None:
        """The first moment after the range (the day after `date_to`, at midnight)."""
        if self.date_to is None:
            return None
        return datetime.combine(self.date_to + timedelta(days=1), datetime.min.time())

    @property
    def is_open(self) -> bool:
        return self.date_from is None and self.date_to is None

    def learner_ids(self) -> Any:
        return select(CohortMember.user_id).where(
            CohortMember.cohort_id == self.cohort_id, CohortMember.role == "learner"
        )

    def in_range(self, column: Any) -> list[ColumnElement[bool]]:
        """Conditions keeping the column's moments within the range."""
        conditions = []
        if self.start is not None:
            conditions.append(column >= self.start)
        if self.end is not None:
            conditions.append(column < self.end)
        return conditions

    def attempts(self) -> list[ColumnElement[bool]]:
        """Conditions for the cohort's learners' attempts within the range."""
        return [Attempt.user_id.in_(self.learner_ids()), *self.in_range(Attempt.submitted_at)]

    def reads(self) -> list[ColumnElement[bool]]:
        """Conditions for the cohort's learners' lesson reads within the range."""
        return [
            LessonRead.user_id.in_(self.learner_ids()),
            *self.in_range(LessonRead.first_read_at),
        ]

    def as_args(self) -> dict[str, str]:
        """The filter as query-string arguments, for links that keep it."""
        args = {}
        if self.date_from:
            args["from"] = self.date_from.isoformat()
        if self.date_to:
            args["to"] = self.date_to.isoformat()
        return args

    @property
    def reference_time(self) -> datetime:
        """'Now' for this report: the end of the range when it is in the past."""
        now = utcnow()
        return min(now, self.end) if self.end else now


def score_text(value: float | Fraction) -> str:
    """A score as people write it: 3, 2.5, 2.67 (partial credit makes fractions)."""
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


# ------------------------------------------------------------------------------ dates and SQL


def dialect() -> str:
    """The session's database: "sqlite" or "postgresql"."""
    return db.session.get_bind().dialect.name


def concat(column: Any) -> Any:
    """Comma-joined values of a group (NULLs skipped), in either database."""
    if dialect() == "postgresql":
        return func.string_agg(column, literal(","))
    return func.group_concat(column, ",")


def split(joined: str | None) -> frozenset[str]:
    """The values `concat` joined."""
    return frozenset(joined.split(",")) if joined else frozenset()


def week_sql(column: Any, dialect_name: str | None = None) -> Any:
    """The Monday of the column's week, as a date (PostgreSQL) or an ISO string (SQLite)."""
    if (dialect_name or dialect()) == "postgresql":
        return func.date(func.date_trunc("week", column))
    return func.date(column, "weekday 0", "-6 days")


def week_of(moment: datetime) -> date:
    """The Monday of the moment's week (a week starts on Monday, UTC)."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


def as_date(value: Any) -> date:
    """A date as either database returns it (SQLite: an ISO string)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def chunks(rows: list[dict[str, Any]], size: int = 5000) -> Iterable[list[dict[str, Any]]]:
    """The rows in slices small enough for one executemany."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


# ------------------------------------------------------------------------------ upserts


def upsert(table: Table, on_conflict: str, returning: str = "", before: str = "") -> TextClause:
    """INSERT of one row per parameter set, ON CONFLICT on the primary key doing `on_conflict`;
    `before` is SQL written ahead of the INSERT (a WITH clause).

    Prebuilt SQL text, which reads the same on SQLite (≥ 3.35) and PostgreSQL: SQLAlchemy's
    dialect upserts are compiled again on every execution (they have no cache key), which cost
    several times more than running them on the submission path. Names come from our tables.
    """
    columns = ", ".join(f'"{c.name}"' for c in table.columns)
    values = ", ".join(f":{c.name}" for c in table.columns)
    keys = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
    sql = f'{before}INSERT INTO "{table.name}" ({columns}) VALUES ({values}) '  # noqa: S608
    sql += f"ON CONFLICT ({keys}) {on_conflict}"
    if returning:
        sql += f" RETURNING {returning}"
    return text(sql).bindparams(*(bindparam(c.name, type_=c.type) for c in table.columns))


@cache
def incrementing(table: Table, returning: str = "", before: str = "") -> TextClause:
    """The upsert that adds each new value to the stored one (built once per table)."""
    keys = {c.name for c in table.primary_key.columns}
    added = ", ".join(
        f'"{c.name}" = "{table.name}"."{c.name}" + excluded."{c.name}"'
        for c in table.columns
        if c.name not in keys
    )
    return upsert(table, f"DO UPDATE SET {added}", returning, before)


def add(execute: Execute, table: Table, deltas: Deltas) -> None:
    """Add `deltas` (primary key → amounts for the other columns, in table order) to the table's
    rows, creating missing ones: one statement, rows in key order (so writers cannot deadlock)."""
    keys = [c.name for c in table.primary_key.columns]
    columns = [c.name for c in table.columns if c.name not in keys]
    rows = [
        {**dict(zip(keys, key, strict=True)), **dict(zip(columns, amounts, strict=True))}
        for key, amounts in sorted(deltas.items())
        if any(amounts)
    ]
    for chunk in chunks(rows):
        execute(incrementing(table), chunk)


def plus(deltas: Deltas, key: tuple, *amounts: float) -> None:
    """Add the amounts to the deltas' entry for `key`."""
    found = deltas.get(key)
    if found is None:
        deltas[key] = list(amounts)
    else:
        for i, amount in enumerate(amounts):
            found[i] += amount


MEMBER = CohortMember.__table__
# The memberships of the user (the parameter "user_id") as a learner.
LEARNER_MEMBER = (MEMBER.c.user_id == bindparam("user_id")) & (MEMBER.c.role == "learner")
_COHORTS_OF = select(MEMBER.c.cohort_id).where(LEARNER_MEMBER)


def cohorts_of(user_id: int) -> list[int]:
    """The cohorts the user is a learner of."""
    return sorted(db.session.scalars(_COHORTS_OF, {"user_id": user_id}))
