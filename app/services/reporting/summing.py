"""Adding learners' summary rows up into their cohorts', as the hooks and the rebuild do."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, case, func, select

from app.models import CohortMember
from app.services.reporting.common import Deltas, plus


def for_cohorts(
    cohort_ids: list[int],
    rows: Iterable[tuple[tuple, Sequence[float]]],
    sign: int = 1,
    deltas: Deltas | None = None,
) -> Deltas:
    """Each (key, amounts) row, times `sign`, added under (cohort id, *key) for every cohort."""
    deltas = {} if deltas is None else deltas
    for key, amounts in rows:
        signed = [sign * amount for amount in amounts]
        for cohort_id in cohort_ids:
            plus(deltas, (cohort_id, *key), *signed)
    return deltas


def count_true(column: Any) -> Any:
    """How many rows of the group have the boolean column true."""
    return func.sum(case((column.is_(True), 1), else_=0))


def learner_members() -> Any:
    """(cohort id, user id) of every learner membership, as a subquery."""
    return (
        select(CohortMember.cohort_id, CohortMember.user_id)
        .where(CohortMember.role == "learner")
        .subquery()
    )


def sum_per_cohort(
    connection: Connection, target: Table, source: Table, keys: list[str], amounts: list[Any]
) -> None:
    """Fill the cohort table `target` (cohort id, keys, amounts, in its column order) with its
    learners' rows of `source` added up."""
    member = learner_members()
    key_columns = [source.c[name] for name in keys]
    connection.execute(
        target.insert().from_select(
            [c.name for c in target.columns],
            select(member.c.cohort_id, *key_columns, *amounts)
            .select_from(source)
            .join(member, member.c.user_id == source.c.user_id)
            .group_by(member.c.cohort_id, *key_columns),
        )
    )
