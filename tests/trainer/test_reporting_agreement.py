"""Each report figure three ways on randomised cohorts: computed live from the rows, read from
the summary tables the hooks kept up to date, and read again after the summaries were rebuilt
from the command line. All three must agree, whatever the learners did.

The learners act through the app's services: they read lessons, take quizzes (retakes, failed
attempts, answers given at any time in the last two months), join and leave two cohorts, and
delete their accounts (answers anonymised or removed). A report over a range holding every
date is computed live; the open-range report reads the summaries.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Table

from app.extensions import db
from app.models import utcnow
from app.services import cohorts, data_rights, reporting
from app.services.catalogue import get_catalogue
from app.services.reporting import hooks
from tests.conftest import right_answers, wrong_answers
from tests.trainer.conftest import answer, new_user, read
from tests.trainer.test_summaries import EVERYTHING, figures, snapshot

EXAMPLES = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)
_TAGS = count(1)

Figure = Callable[[reporting.ReportFilter], Any]


def _picks(rng: random.Random, quiz: Any) -> dict[str, list[str]]:
    """A random answer to every question: right, wrong or any one option; a random order for
    questions answered by putting options in order."""
    right, wrong = right_answers(quiz), wrong_answers(quiz)
    picks = {}
    for q in quiz.questions:
        if q.correct_order:
            picks[q.id] = rng.sample(list(q.correct_order), len(q.correct_order))
        else:
            picks[q.id] = rng.choice([right[q.id], wrong[q.id], [rng.choice(q.options).id]])
    return picks


def play(seed: int) -> list[int]:
    """Two cohorts, a few learners and a random history of what they did; the cohorts' ids."""
    rng, tag = random.Random(seed), next(_TAGS)
    catalogue = get_catalogue()
    trainer = new_user(f"Trainer {tag}", "trainer")
    groups = [cohorts.create_cohort(trainer, f"Cohort {tag}{x}") for x in "ab"]
    people = [new_user(f"Learner {tag} {n}") for n in range(rng.randint(3, 7))]
    for user in people[::2]:
        cohorts.join_cohort(user, groups[0].join_code)
    now = utcnow().replace(microsecond=0)
    for _ in range(rng.randint(10, 30)):
        user, roll = rng.choice(people), rng.random()
        when = now - timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 23))
        if roll < 0.15:
            cohorts.join_cohort(user, rng.choice(groups).join_code)
        elif roll < 0.22:
            cohorts.remove_learner(rng.choice(groups), user.id)
        elif roll < 0.5:
            module = rng.choice(catalogue.modules)
            read(user, module.id, rng.choice(module.lessons).id, when)
        elif roll < 0.97 or len(people) < 3:
            quiz = rng.choice(list(catalogue.quizzes.values()))
            answer(user, quiz.id, _picks(rng, quiz), when)
        else:
            data_rights.delete_account(user, rng.choice(["anonymise", "remove"]))
            people.remove(user)
    db.session.flush()
    return [group.id for group in groups]


def assert_three_ways_agree(
    app: Flask, cohort_ids: list[int], figure: Figure, tables: tuple[Table, ...] = ()
) -> None:
    """Live (a range holding every date), summaries (the open range) and rebuilt summaries
    give the same figure; the rebuild also leaves the figure's tables as the hooks kept them."""
    live = {c: figure(reporting.ReportFilter(c, **EVERYTHING)) for c in cohort_ids}
    kept = {c: figure(reporting.ReportFilter(c)) for c in cohort_ids}
    assert kept == live
    before = snapshot(tables)
    result = app.test_cli_runner().invoke(args=["cohorts", "rebuild-summaries"])
    assert result.exit_code == 0, result.output
    assert snapshot(tables) == before
    assert {c: figure(reporting.ReportFilter(c)) for c in cohort_ids} == live


def _report_part(*keys: str) -> Figure:
    def part(f: reporting.ReportFilter) -> dict[str, Any]:
        shown = figures(reporting.cohort_report(f))
        return {key: shown[key] for key in keys}

    return part


def _quiz_part(*keys: str) -> Figure:
    def part(f: reporting.ReportFilter) -> list[dict[str, Any]]:
        return [
            {k: q[k] for k in ("id", *keys)} for q in figures(reporting.cohort_report(f))["quizzes"]
        ]

    return part


T = {table.name: table for table in hooks.TABLES}
# Figures of the cohort report kept in summary tables, and those tables.
SUMMARISED = {
    "module progress": (
        _report_part("learner_count", "modules", "not_started", "completed_all"),
        (T["learner_progress"], T["cohort_progress"]),
    ),
    "quiz scores": (
        _quiz_part("attempts", "learners", "mean_best_score", "pass_rate", "distribution"),
        (T["learner_quiz"], T["cohort_quiz_score"]),
    ),
    "item analysis": (
        _quiz_part("questions", "older"),
        (T["learner_quiz"], T["cohort_question"], T["cohort_option"]),
    ),
    "weekly activity": (_report_part("activity"), (T["learner_week"], T["cohort_week"])),
}


@pytest.mark.parametrize("name", SUMMARISED)
@EXAMPLES
@given(seed=SEEDS)
def test_a_summarised_figure_agrees(small, name, seed):
    figure, tables = SUMMARISED[name]
    assert_three_ways_agree(small, play(seed), figure, tables)


@settings(EXAMPLES, max_examples=5)
@given(seed=SEEDS)
def test_item_analysis_agrees_on_the_real_course_with_its_ordering_question(app, ctx, seed):
    figure, tables = SUMMARISED["item analysis"]
    assert_three_ways_agree(app, play(seed), figure, tables)


def _gain(f: reporting.ReportFilter) -> list[tuple]:
    return [
        (g.concept_id, g.learners, g.pre, g.post, None if g.gain is None else round(g.gain, 9))
        for g in reporting.learning_gain(f)
    ]


def play_pairs(seed: int) -> list[int]:
    """Two cohorts whose learners take pre-tests and the quizzes they come before, in a random
    order (pre-test first or not, retakes), then join, leave or delete their accounts."""
    rng, tag = random.Random(seed), next(_TAGS)
    catalogue = get_catalogue()
    pairs = [(q.id, q.pre_test_of) for q in catalogue.quizzes.values() if q.pre_test_of]
    assert pairs, "the course ships pre-tests"
    trainer = new_user(f"Trainer {tag}", "trainer")
    groups = [cohorts.create_cohort(trainer, f"Cohort {tag}{x}") for x in "ab"]
    now = utcnow().replace(microsecond=0)
    people = []
    for n in range(rng.randint(3, 8)):
        user = new_user(f"Learner {tag} {n}")
        people.append(user)
        for group in rng.sample(groups, rng.randint(1, 2)):
            cohorts.join_cohort(user, group.join_code)
        for _ in range(rng.randint(1, 5)):
            quiz = catalogue.quizzes[rng.choice(rng.choice(pairs))]
            when = now - timedelta(days=rng.randint(0, 30))
            answer(user, quiz.id, _picks(rng, quiz), when)
    for user in rng.sample(people, 2):
        if rng.random() < 0.5:
            cohorts.remove_learner(rng.choice(groups), user.id)
        else:
            data_rights.delete_account(user, rng.choice(["anonymise", "remove"]))
    db.session.flush()
    return [group.id for group in groups]


@settings(EXAMPLES, max_examples=6)
@given(seed=SEEDS)
def test_learning_gain_agrees(app, ctx, seed):
    tables = (T["learner_concept"], T["cohort_concept"])
    cohort_ids = play_pairs(seed)
    assert_three_ways_agree(app, cohort_ids, _gain, tables)


def _profiles(f: reporting.ReportFilter) -> list[tuple]:
    return [
        (p.quiz.id, p.profile_id, p.learners, p.shown, p.counts, p.trust, p.factors)
        for p in reporting.self_assessment(f)
    ]


@EXAMPLES
@given(seed=SEEDS)
def test_self_assessment_profiles_agree(small, seed):
    """Computed live only: the open range and a range holding everything agree, before and
    after a rebuild."""
    assert_three_ways_agree(small, play(seed), _profiles)


def _drill_down(f: reporting.ReportFilter) -> dict[str, Any]:
    learners = reporting.cohort_learners(f)
    return {
        "attempts": {
            x.id: [
                (
                    v.attempt.id,
                    v.number,
                    v.seconds,
                    [(a.question_id, a.selected, a.correct) for a in v.answers],
                )
                for v in reporting.learner_attempts(f, x.id)
            ]
            for x in learners
        },
        "answers": [tuple(row) for row in reporting.answer_rows(f)],
        "matrix": [
            (r.learner.id, r.lessons, r.quizzes, r.started, r.completed, r.last_activity)
            for r in reporting.learner_rows(f)
        ],
        "attention": [(a.learner.id, a.reasons) for a in reporting.needs_attention(f)],
    }


@EXAMPLES
@given(seed=SEEDS)
def test_learner_drill_down_and_matrix_agree(small, seed):
    """Computed live only: the open range and a range holding everything agree, before and
    after a rebuild, and every learner's attempts add up to the cohort's answers."""
    cohort_ids = play(seed)
    assert_three_ways_agree(small, cohort_ids, _drill_down)
    for cohort_id in cohort_ids:
        shown = _drill_down(reporting.ReportFilter(cohort_id))
        answers = sum(len(v[3]) for views in shown["attempts"].values() for v in views)
        assert answers == len(shown["answers"])
