"""Reports cost the same number of queries for 10 learners as for 200."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.extensions import db
from app.models import Certificate, CohortMember, utcnow
from app.serializers.reports import report_json
from app.services import cohorts, exports, reporting
from tests.trainer.conftest import MOOD_HIGH, answer, check, counting_queries, new_user, read


def holding(user_id: int, n: int, now: datetime, revoked: bool) -> Certificate:
    return Certificate(
        user_id=user_id,
        course_id="course",
        code=f"CODE{user_id}X{n}",
        learner_name="Learner",
        course_title="Course",
        content_version="1",
        issued_at=now,
        revoked_at=now if revoked else None,
        revoked_reason="test" if revoked else None,
    )


def cohort_of(size: int) -> int:
    trainer = new_user(f"Trainer {size}", "trainer")
    cohort = cohorts.create_cohort(trainer, f"Cohort of {size}")
    now = utcnow()
    for n in range(size):
        user = new_user(f"Learner {size} {n}")
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=user.id, role="learner"))
        read(user, "intro", "l1", now - timedelta(days=n % 20))
        if n % 3:
            answer(
                user,
                "check",
                check("a" if n % 2 else "b", "a", ["a", "b"]),
                now - timedelta(days=n % 9),
            )
        if n % 5 == 0:
            answer(user, "check", check("a", "b", ["c"]), now)
            answer(user, "mood", MOOD_HIGH, now)
        if n % 4 == 0:  # a certificate, every other one revoked
            db.session.add(holding(user.id, n, now, revoked=n % 8 == 0))
    db.session.flush()
    return cohort.id


def queries_for(cohort_id: int) -> dict[str, int]:
    f = reporting.ReportFilter(cohort_id)
    ranged = reporting.ReportFilter(cohort_id, date_from=(utcnow() - timedelta(days=5)).date())
    first = min(reporting.cohort_learners(f), key=reporting.by_name_key).id
    runs = {
        "report": lambda: report_json(reporting.cohort_report(f)),
        "drill-down": lambda: (
            reporting.learner_summary(f, first),
            reporting.learner_attempts(f, first),
        ),
        "ranged report": lambda: reporting.cohort_report(ranged),
        "matrix": lambda: reporting.learner_rows(f),
        "attention": lambda: reporting.needs_attention(f),
        "self-assessment": lambda: reporting.self_assessment(f),
        "learners.csv": lambda: "".join(exports.learners_csv(f)),
        "answers.csv": lambda: "".join(exports.answers_csv(f)),
    }
    counts = {}
    for name, run in runs.items():
        with counting_queries() as statements:
            run()
        counts[name] = len(statements)
    return counts


def test_query_count_does_not_grow_with_the_cohort(small):
    few, many = cohort_of(10), cohort_of(200)
    small_counts, large_counts = queries_for(few), queries_for(many)
    assert small_counts == large_counts, (small_counts, large_counts)
    # 8, one for who holds a certificate, one for the footnotes on changed questions (the tiny
    # course has no pre-test: learning gain adds two more when one exists)
    assert small_counts["report"] <= 10
    assert small_counts["drill-down"] <= 9, small_counts
