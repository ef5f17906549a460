"""Item analysis: per graded question (each version apart), over each learner's first attempt
of the quiz, how many answered, how many were fully right, the credit they earned (a fraction of
the point under partial scoring), the discrimination, and how often each option was chosen
(and, for kinds that count placement, put in its right place).

Live, from answers; kept up to date in cohort_question and cohort_option; rebuilt from the
rows. Only graded questions of graded quizzes count.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, String, cast, delete, func, select

from app.content.kinds import QUESTION_KINDS
from app.extensions import db
from app.models import Answer, Attempt, CohortOption, CohortQuestion, LearnerQuiz, earned_credit
from app.services.catalogue import get_catalogue
from app.services.reporting.common import Deltas, ReportFilter, add, plus
from app.services.reporting.item_stats import ItemKey, QuestionStats, finish_items
from app.services.reporting.summing import learner_members

QUESTION = CohortQuestion.__table__
OPTION = CohortOption.__table__
# An answer of a first attempt: quiz id, attempt score, question id, question version, the
# options selected, whether it was right, its credit (None: stored before partial credit).
AnswerRow = tuple[str, float, str, str, Sequence[str], bool | None, float | None]


def answer_sums(n: int, x: float, s_score: float, s_score2: float) -> tuple[float, ...]:
    """Σx, Σy, Σxy, Σx², Σy² of n answers that all earned x, in attempts whose scores add up to
    s_score (their squares to s_score2); x is this question's credit, y = score − x the rest of
    the attempt's."""
    return (
        n * x,
        s_score - n * x,
        x * s_score - n * x * x,
        n * x * x,
        s_score2 - 2 * x * s_score + n * x * x,
    )


def _graded_quiz_ids() -> list[str]:
    return [q.id for q in get_catalogue().quizzes.values() if q.is_graded]


def _question_and_current(quiz_id: str, question_id: str, version: str) -> tuple[Any, bool]:
    quiz = get_catalogue().quiz(quiz_id)
    question = quiz.question(question_id) if quiz else None
    return question, question is not None and question.version == version


def _placed(question: Any, current: bool, selected: Sequence[str]) -> list[str]:
    """The options this answer put in their right place (only today's version is judged)."""
    if question is None or not current:
        return []
    return QUESTION_KINDS[question.kind].placed_option_ids(question, list(selected))


# ------------------------------------------------------------------------------ live


def live_items(f: ReportFilter) -> dict[str, list[QuestionStats]]:
    """Per graded quiz, its graded questions' figures over each learner's first attempt within
    the range (one query)."""
    graded = _graded_quiz_ids()
    if not graded:
        return {}
    chosen = cast(Answer.selected, String)
    first_attempts = (
        select(func.min(Attempt.id))
        .where(*f.attempts(), Attempt.quiz_id.in_(graded))
        .group_by(Attempt.user_id, Attempt.quiz_id)
    )
    keys = (
        *(Attempt.quiz_id, Answer.question_id, Answer.question_version),
        *(Answer.correct, Answer.credit, chosen),
    )
    rows = db.session.execute(
        select(
            *keys, func.count(), func.sum(Attempt.score), func.sum(Attempt.score * Attempt.score)
        )
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Answer.attempt_id.in_(first_attempts), Answer.correct.is_not(None))
        .group_by(*keys)
    ).all()
    found: dict[ItemKey, QuestionStats] = {}
    option_counts: dict[ItemKey, Counter] = defaultdict(Counter)
    in_place: dict[ItemKey, Counter] = defaultdict(Counter)
    for quiz_id, question_id, version, correct, credit, selected_text, n, s, s2 in rows:
        key = (quiz_id, question_id, version)
        stats = found.get(key)
        if stats is None:
            stats = found[key] = QuestionStats(question_id, version, *_question_and_current(*key))
        stats.answered += n
        stats.right += n if correct else 0
        amounts = answer_sums(n, earned_credit(correct, credit), float(s or 0), float(s2 or 0))
        for i, amount in enumerate(amounts):
            stats.sums[i] += amount
        selected = json.loads(selected_text) if selected_text else []
        for option_id in selected:
            option_counts[key][option_id] += n
        for option_id in _placed(stats.question, stats.current, selected):
            in_place[key][option_id] += n
    return finish_items(graded, found, option_counts, in_place)


# ------------------------------------------------------------------------------ summary


def summary_items(cohort_id: int) -> dict[str, list[QuestionStats]]:
    """The open-range figures, from cohort_question and cohort_option (two queries)."""
    graded = _graded_quiz_ids()
    if not graded:
        return {}
    q, o = QUESTION.c, OPTION.c
    found: dict[ItemKey, QuestionStats] = {}
    for row in db.session.execute(
        select(
            *(q.quiz_id, q.question_id, q.question_version, q.answered, q.correct),
            *(q.sum_x, q.sum_y, q.sum_xy, q.sum_xx, q.sum_yy),
        ).where(q.cohort_id == cohort_id, q.quiz_id.in_(graded), q.answered > 0)
    ):
        quiz_id, question_id, version, answered, right, *sums = row
        question, current = _question_and_current(quiz_id, question_id, version)
        stats = QuestionStats(question_id, version, question, current, answered, right)
        stats.sums = [float(x) for x in sums]
        found[(quiz_id, question_id, version)] = stats
    option_counts: dict[ItemKey, Counter] = defaultdict(Counter)
    in_place: dict[ItemKey, Counter] = defaultdict(Counter)
    for quiz_id, question_id, version, option_id, chosen, placed in db.session.execute(
        select(
            o.quiz_id, o.question_id, o.question_version, o.option_id, o.chosen, o.in_place
        ).where(o.cohort_id == cohort_id, o.quiz_id.in_(graded), o.chosen > 0)
    ):
        key = (quiz_id, question_id, version)
        option_counts[key][option_id] = chosen
        if placed:
            in_place[key][option_id] = placed
    return finish_items(graded, found, option_counts, in_place)


# ------------------------------------------------------------------------------ delta


def answer_deltas(
    cohorts: Iterable[int],
    rows: Iterable[AnswerRow],
    sign: int = 1,
    deltas: tuple[Deltas, Deltas] | None = None,
) -> tuple[Deltas, Deltas]:
    """cohort_question and cohort_option amounts for answers of first attempts, each counted
    `sign` times in every one of the cohorts."""
    questions, options = deltas if deltas is not None else ({}, {})
    catalogue = get_catalogue()
    cohorts = list(cohorts)
    for quiz_id, score, question_id, version, selected, correct, credit in rows:
        quiz = catalogue.quiz(quiz_id)
        if correct is None or quiz is None or not quiz.is_graded:
            continue
        x = earned_credit(correct, credit)
        y = score - x
        amounts = [sign * a for a in (1, int(correct), x, y, x * y, x * x, y * y)]
        placed = Counter(_placed(*_question_and_current(quiz_id, question_id, version), selected))
        for cohort_id in cohorts:
            key = (cohort_id, quiz_id, question_id, version)
            plus(questions, key, *amounts)
            for option_id in selected:
                plus(options, (*key, option_id), sign, 0)
            for option_id, n in placed.items():
                plus(options, (*key, option_id), 0, sign * n)
    return questions, options


def first_attempt_deltas(
    cohorts: list[int], attempt: Attempt, answers: Sequence[Any]
) -> tuple[Deltas, Deltas]:
    """The amounts for a learner's first attempt of a quiz, with its answers (question_id,
    question_version, selected, correct, credit)."""
    rows = (
        (attempt.quiz_id, attempt.score, a.question_id, a.question_version)
        + (a.selected, a.correct, a.credit)
        for a in answers
    )
    return answer_deltas(cohorts, rows)


def moved(cohort_ids: list[int], user_ids: list[int], sign: int) -> tuple[Deltas, Deltas]:
    """The amounts for learners joining (sign 1) or leaving (-1) the cohorts: the answers of
    their first attempts (one query)."""
    rows = db.session.execute(
        select(
            *(Attempt.quiz_id, Attempt.score, Answer.question_id, Answer.question_version),
            *(Answer.selected, Answer.correct, Answer.credit),
        )
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(LearnerQuiz, LearnerQuiz.first_attempt_id == Attempt.id)
        .where(LearnerQuiz.user_id.in_(user_ids), Answer.correct.is_not(None))
    )
    return answer_deltas(cohort_ids, rows, sign)


# ------------------------------------------------------------------------------ rebuild


def rebuild(connection: Connection) -> None:
    """Fill cohort_question and cohort_option from each cohort learner's first attempt (as
    learner_quiz, rebuilt first, names it), grouped by what was chosen."""
    connection.execute(delete(OPTION))
    connection.execute(delete(QUESTION))
    member = learner_members()
    chosen = cast(Answer.selected, String)
    keys = (
        *(member.c.cohort_id, Attempt.quiz_id, Attempt.score, Answer.question_id),
        *(Answer.question_version, Answer.correct, Answer.credit, chosen),
    )
    deltas: tuple[Deltas, Deltas] = ({}, {})
    for *key, correct, credit, selected, n in connection.execute(
        select(*keys, func.count())
        .select_from(Answer)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(LearnerQuiz, LearnerQuiz.first_attempt_id == Attempt.id)
        .join(member, member.c.user_id == Attempt.user_id)
        .where(Answer.correct.is_not(None))
        .group_by(*keys)
    ):
        cohort_id, quiz_id, score, question_id, version = key
        selected_ids = json.loads(selected) if selected else []
        row = (quiz_id, score, question_id, version, selected_ids, correct, credit)
        answer_deltas([cohort_id], [row], int(n), deltas)
    add(connection.execute, QUESTION, deltas[0])
    add(connection.execute, OPTION, deltas[1])
