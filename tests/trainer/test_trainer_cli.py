"""The trainer commands: `cohorts create`, `cohorts add`, `cohorts list` and `demo seed`."""

from __future__ import annotations

from sqlalchemy import func, select

from app.cli_trainer import DEMO_PASSWORD, DEMO_TRAINER, seed_demo
from app.extensions import db
from app.models import Attempt, Cohort, CohortMember, LessonRead, User
from app.services import accounts


def test_create_a_cohort_and_add_learners(runner, make, ctx):
    trainer = make.user("trainer", email="tess@example.com")
    known = make.user("learner", email="kai@example.com")
    created = runner.invoke(args=["cohorts", "create", "Autumn", "--trainer", "TESS@example.com"])
    assert created.exit_code == 0, created.output
    cohort_id, code = created.output.strip().splitlines()[-1].split()
    cohort = db.session.get(Cohort, int(cohort_id))
    assert (cohort.name, cohort.join_code) == ("Autumn", code)
    assert db.session.get(CohortMember, (cohort.id, trainer.id)).role == "trainer"
    added = runner.invoke(args=["cohorts", "add", cohort_id, known.email, "new@example.com"])
    assert added.exit_code == 0, added.output
    assert f"added {known.email}" in added.output
    assert "invited new@example.com: " in added.output
    assert "/auth/invite/" in added.output
    again = runner.invoke(args=["cohorts", "add", cohort_id, known.email])
    assert "already in the cohort: kai@example.com" in again.output
    listed = runner.invoke(args=["cohorts", "list"])
    assert f"{cohort_id}\t{code}\t2 learners\tAutumn" in listed.output


def test_cohort_commands_refuse_bad_arguments(runner, make, ctx):
    learner = make.user("learner")
    assert (
        runner.invoke(args=["cohorts", "create", "X", "--trainer", "nobody@example.com"]).exit_code
        == 1
    )
    refused = runner.invoke(args=["cohorts", "create", "X", "--trainer", learner.email])
    assert refused.exit_code == 1
    assert "not a trainer" in refused.output
    assert runner.invoke(args=["cohorts", "add", "999999", "a@example.com"]).exit_code == 1
    trainer = make.user("trainer")
    cohort_id = runner.invoke(
        args=["cohorts", "create", "Y", "--trainer", trainer.email]
    ).output.split()[-2]
    bad = runner.invoke(args=["cohorts", "add", cohort_id, "ok@example.com", "not-an-email"])
    assert bad.exit_code == 1
    assert "not-an-email" in bad.output
    assert accounts.user_by_email("ok@example.com") is None


def signature() -> tuple:
    rows = db.session.execute(
        select(User.email, Attempt.quiz_id, Attempt.score, Attempt.passed, Attempt.submitted_at)
        .join(Attempt, Attempt.user_id == User.id)
        .order_by(User.email, Attempt.submitted_at, Attempt.id)
    ).all()
    reads = db.session.execute(
        select(User.email, func.count(), func.min(LessonRead.first_read_at))
        .join(LessonRead, LessonRead.user_id == User.id)
        .group_by(User.email)
        .order_by(User.email)
    ).all()
    return tuple(map(tuple, rows)), tuple(map(tuple, reads))


def test_demo_seed_is_deterministic(app, ctx):
    savepoint = db.session.begin_nested()
    first = seed_demo()
    once = signature()
    assert first.created
    assert first.learners == 30
    savepoint.rollback()
    again = seed_demo()
    assert signature() == once
    assert again.attempts == first.attempts
    users = {email for email, *_ in once[0]}
    assert 20 <= len(users) <= 27  # a few never started
    scores = {score for _, _, score, passed, _ in once[0] if passed is not None}
    assert len(scores) >= 5  # varied results
    weeks = {submitted.isocalendar()[1] for *_, submitted in once[0]}
    assert len(weeks) >= 4  # spread over several weeks


def test_demo_seed_twice_changes_nothing_and_prints_the_logins(runner, app, ctx):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "Created the demo cohort" in first.output
    last = first.output.strip().splitlines()[-1]
    assert DEMO_TRAINER in last
    assert DEMO_PASSWORD in last
    counts = db.session.scalar(select(func.count()).select_from(Attempt))
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0
    assert "already exists" in second.output
    assert "nothing was changed" in second.output
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == counts
    assert db.session.scalar(select(func.count()).select_from(Cohort)) == 1
    assert accounts.authenticate(DEMO_TRAINER, DEMO_PASSWORD) is not None
    assert accounts.password_problem(DEMO_PASSWORD, DEMO_TRAINER) is None
