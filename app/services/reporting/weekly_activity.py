"""Weekly activity: per week (from Monday, UTC), the cohort's learners who were active, the
lessons they first opened and the quizzes they submitted.

Live, from lesson reads and attempts; kept up to date in learner_week and cohort_week; rebuilt
from the rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, TextClause, case, delete, func, literal, select, union_all

from app.extensions import db
from app.models import Attempt, CohortWeek, LearnerWeek, LessonRead
from app.services.reporting.common import (
    Deltas,
    ReportFilter,
    as_date,
    chunks,
    incrementing,
    week_of,
    week_sql,
)
from app.services.reporting.summing import for_cohorts, sum_per_cohort

LEARNER_WEEK = LearnerWeek.__table__
WEEK = CohortWeek.__table__


def weeks_from(rows: Any) -> list[dict[str, Any]]:
    """Every week from the first to the last active one, from rows of (week, learners active,
    lessons opened, quizzes submitted); quiet weeks are shown as zeros, not left out."""
    found = {
        as_date(week): (int(active), int(lessons or 0), int(attempts or 0))
        for week, active, lessons, attempts in rows
    }
    if not found:
        return []
    weeks, current, last = [], min(found), max(found)
    while current <= last:
        active, lessons, attempts = found.get(current, (0, 0, 0))
        weeks.append(
            {
                "week": current,
                "label": current.strftime("%d %b"),
                "active": active,
                "lessons": lessons,
                "attempts": attempts,
            }
        )
        current += timedelta(days=7)
    return weeks


def live_activity(f: ReportFilter) -> list[dict[str, Any]]:
    """Per week within the range: learners active, lessons opened, quizzes submitted (one
    query)."""
    sources = (
        (LessonRead.first_read_at, LessonRead.user_id, 1, f.reads()),
        (Attempt.submitted_at, Attempt.user_id, 0, f.attempts()),
    )
    events = union_all(
        *(
            select(
                week_sql(moment).label("week"),
                user_id.label("user_id"),
                literal(is_read).label("lessons"),
                literal(1 - is_read).label("attempts"),
            ).where(*conditions)
            for moment, user_id, is_read, conditions in sources
        )
    ).subquery()
    rows = db.session.execute(
        select(
            events.c.week,
            func.count(func.distinct(events.c.user_id)),
            func.sum(events.c.lessons),
            func.sum(events.c.attempts),
        )
        .group_by(events.c.week)
        .order_by(events.c.week)
    ).all()
    return weeks_from(rows)


def summary_activity(cohort_id: int) -> list[dict[str, Any]]:
    """The open-range weeks, from cohort_week (one query)."""
    rows = db.session.execute(
        select(WEEK.c.week, WEEK.c.active, WEEK.c.lessons, WEEK.c.attempts)
        .where(WEEK.c.cohort_id == cohort_id, WEEK.c.active > 0)
        .order_by(WEEK.c.week)
    ).all()
    return weeks_from(rows)


# ------------------------------------------------------------------------------ delta


# What the learner_week upsert returns: the week's new total.
WEEK_TOTAL = '"lessons" + "attempts"'


def count_learner_week(
    user_id: int,
    moment: datetime,
    lessons: int,
    attempts: int,
    statement: TextClause | None = None,
    **more: Any,
) -> tuple[date, bool]:
    """Add to the learner's week; return the week and whether they just became active in it.
    `statement` (default: the upsert) may do more in the same statement, with the parameters
    `more` (see hooks.attempt_stored)."""
    week = week_of(moment)
    total = db.session.execute(
        statement if statement is not None else incrementing(LEARNER_WEEK, WEEK_TOTAL),
        {"user_id": user_id, "week": week, "lessons": lessons, "attempts": attempts, **more},
    ).scalar_one()
    return week, total == lessons + attempts


def cohort_deltas(
    cohorts: list[int], week: date, newly_active: bool, lessons: int, attempts: int
) -> Deltas:
    """cohort_week amounts for one learner's lesson read or attempt, in each of their cohorts."""
    return for_cohorts(cohorts, [((week,), (int(newly_active), lessons, attempts))])


def moved(cohort_ids: list[int], user_ids: list[int], sign: int) -> Deltas:
    """cohort_week amounts for learners joining (sign 1) or leaving (-1) the cohorts."""
    rows = db.session.execute(
        select(LearnerWeek.week, LearnerWeek.lessons, LearnerWeek.attempts).where(
            LearnerWeek.user_id.in_(user_ids)
        )
    )
    return for_cohorts(
        cohort_ids,
        (((as_date(w),), (int(n + m > 0), n, m)) for w, n, m in rows),
        sign,
    )


# ------------------------------------------------------------------------------ rebuild


def rebuild(connection: Connection) -> None:
    """Fill learner_week from lesson reads and attempts, then cohort_week from it."""
    connection.execute(delete(WEEK))
    connection.execute(delete(LEARNER_WEEK))
    dialect = connection.dialect.name
    weeks: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0])
    for column, index, table_user in (
        (LessonRead.first_read_at, 0, LessonRead.user_id),
        (Attempt.submitted_at, 1, Attempt.user_id),
    ):
        week = week_sql(column, dialect)
        for user_id, value, n in connection.execute(
            select(table_user, week, func.count())
            .where(table_user.is_not(None))
            .group_by(table_user, week)
        ):
            weeks[(user_id, as_date(value))][index] += int(n)
    rows = [
        {"user_id": u, "week": w, "lessons": n[0], "attempts": n[1]}
        for (u, w), n in sorted(weeks.items())
    ]
    for chunk in chunks(rows):
        connection.execute(LEARNER_WEEK.insert(), chunk)
    c = LEARNER_WEEK.c
    sum_per_cohort(
        connection,
        WEEK,
        LEARNER_WEEK,
        ["week"],
        [
            func.sum(case((c.lessons + c.attempts > 0, 1), else_=0)),
            func.sum(c.lessons),
            func.sum(c.attempts),
        ],
    )
