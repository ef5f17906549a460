"""Learning gain per concept: the share of a concept's questions learners got right in the
module's pre-test (before the lessons) and in the quiz it is the pre-test of (after), and the
normalised gain ⟨g⟩ = (post − pre) / (100 − pre), over the learners who have both.

Each learner's first attempt at each quiz counts (the first stored, as item analysis counts
it), and a pre-test counts only when it was taken before that first attempt at the quiz. Shares
are averaged over learners (each weighs the same); ⟨g⟩ is worked out from those averages, as
Hake defined it.

Live, from attempts and answers (a report over a date range); kept up to date in
learner_concept and cohort_concept when a learner's first attempt at a quiz completes a pair
(the open range); rebuilt from the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select

from app.content import Catalogue
from app.content.course import Concept
from app.extensions import db
from app.models import Answer, Attempt, CohortConcept, LearnerConcept
from app.services.catalogue import get_catalogue
from app.services.reporting.common import Deltas, Execute, ReportFilter, add, chunks, upsert
from app.services.reporting.summing import for_cohorts, learner_members

LEARNER_CONCEPT = LearnerConcept.__table__
CONCEPT = CohortConcept.__table__
MIN_LEARNERS = 5  # below this, a gain says more about the few learners than about the course

# (learner, concept) → [right before, answered before, right after, answered after]
Counts = dict[tuple[int, str], list[int]]
PRE, POST = 0, 2  # where a phase's two numbers start in a Counts entry


@dataclass(frozen=True)
class ConceptGain:
    concept_id: str
    title: str
    lesson: str  # module-id/lesson-id
    learners: int  # with a pre-test before their first attempt at the quiz: behind every figure
    pre: float | None  # percent right before the lessons
    post: float | None  # percent right after
    gain: float | None  # ⟨g⟩; None without learners or when everyone was right before

    @property
    def too_few(self) -> bool:
        return self.learners < MIN_LEARNERS


def learning_gain(f: ReportFilter) -> list[ConceptGain]:
    """Per concept the pre-tests check, in the course's order of concepts: from cohort_concept
    for the open range, else live over the attempts within the range."""
    catalogue = get_catalogue()
    if not _pairs(catalogue) or catalogue.course is None:
        return []
    if f.is_open:
        c = CONCEPT.c
        rows = db.session.execute(
            select(c.concept_id, c.learners, c.pre_share_sum, c.post_share_sum).where(
                c.cohort_id == f.cohort_id
            )
        )
        sums = {concept: (n, pre, post) for concept, n, pre, post in rows}
    else:
        counts = _counts(db.session.execute, _phases(db.session.execute, f.attempts()))
        sums = _sums(_contributions(counts))
    return _gains(catalogue, sums)


def _pairs(catalogue: Catalogue) -> dict[str, str]:
    """Pre-test id → the quiz it is the pre-test of."""
    return {q.id: q.pre_test_of for q in catalogue.quizzes.values() if q.pre_test_of}


def _phases(execute: Execute, conditions: list[Any]) -> dict[int, tuple[int, int, str]]:
    """Attempt id → (learner, PRE or POST, quiz id) of the first attempts that make a pair:
    a pre-test's first attempt stored before the first attempt at its quiz, and that one."""
    pairs = _pairs(get_catalogue())
    first: dict[tuple[int, str], int] = {
        (user_id, quiz_id): attempt_id
        for user_id, quiz_id, attempt_id in execute(
            select(Attempt.user_id, Attempt.quiz_id, func.min(Attempt.id))
            .where(*conditions, Attempt.quiz_id.in_([*pairs, *pairs.values()]))
            .group_by(Attempt.user_id, Attempt.quiz_id)
        )
    }
    phase_of: dict[int, tuple[int, int, str]] = {}
    for (user_id, quiz_id), attempt_id in first.items():
        target = pairs.get(quiz_id)
        post = first.get((user_id, target)) if target else None
        if post is not None and attempt_id < post:
            phase_of[attempt_id] = (user_id, PRE, quiz_id)
            phase_of[post] = (user_id, POST, target)
    return phase_of


def _counts(execute: Execute, phase_of: dict[int, tuple[int, int, str]]) -> Counts:
    """Right and answered per learner and concept over the answers of these attempts."""
    catalogue = get_catalogue()
    concepts_of = {
        (quiz.id, question.id): question.concepts
        for quiz_id in {quiz_id for _, _, quiz_id in phase_of.values()}
        if (quiz := catalogue.quiz(quiz_id)) is not None
        for question in quiz.questions
    }
    counts: Counts = {}
    for ids in chunks(sorted(phase_of)):
        for attempt_id, question_id, correct in execute(
            select(Answer.attempt_id, Answer.question_id, Answer.correct).where(
                Answer.attempt_id.in_(ids), Answer.correct.is_not(None)
            )
        ):
            user_id, phase, quiz_id = phase_of[attempt_id]
            for concept in concepts_of.get((quiz_id, question_id), ()):
                entry = counts.setdefault((user_id, concept), [0, 0, 0, 0])
                entry[phase] += int(bool(correct))
                entry[phase + 1] += 1
    return counts


def _contribution(pre_right: int, pre_answered: int, post_right: int, post_answered: int) -> tuple:
    """What one learner's counts on a concept add to the cohort's (learners, pre and post share
    sums): nothing unless they answered on it both before and after."""
    if not pre_answered or not post_answered:
        return (0, 0.0, 0.0)
    return (1, 100 * pre_right / pre_answered, 100 * post_right / post_answered)


def _contributions(counts: Counts) -> Iterator[tuple[tuple[str], tuple]]:
    for (_user_id, concept), amounts in counts.items():
        yield (concept,), _contribution(*amounts)


def _sums(contributions: Iterable[tuple[tuple[str], tuple]]) -> dict[str, tuple]:
    sums: dict[str, list[float]] = {}
    for (concept,), amounts in contributions:
        entry = sums.setdefault(concept, [0, 0.0, 0.0])
        for i, amount in enumerate(amounts):
            entry[i] += amount
    return {concept: tuple(entry) for concept, entry in sums.items()}


def _gains(catalogue: Catalogue, sums: dict[str, tuple]) -> list[ConceptGain]:
    pairs = _pairs(catalogue)
    checked = {
        concept for p in pairs for q in catalogue.quizzes[p].questions for concept in q.concepts
    }
    return [
        _gain(concept, *sums.get(concept.id, (0, 0.0, 0.0)))
        for concept in catalogue.course.concepts
        if concept.id in checked
    ]


def _gain(concept: Concept, learners: int, pre_sum: float, post_sum: float) -> ConceptGain:
    # Rounded: summed in another order (one learner at a time, or all at once), the same shares
    # may differ in their last bits.
    n = int(learners)
    pre = round(pre_sum / n, 9) if n else None
    post = round(post_sum / n, 9) if n else None
    gain = None
    if pre is not None and post is not None and pre < 100:
        gain = (post - pre) / (100 - pre)
    return ConceptGain(concept.id, concept.title, concept.lesson, n, pre, post, gain)


# ------------------------------------------------------------------------------ delta

_ADD_TO_LEARNER = upsert(
    LEARNER_CONCEPT,
    "DO UPDATE SET "
    + ", ".join(
        f'"{name}" = "learner_concept"."{name}" + excluded."{name}"'
        for name in ("pre_right", "pre_answered", "post_right", "post_answered")
    ),
)
_LEARNER_ROWS = (
    select(
        LEARNER_CONCEPT.c.concept_id,
        LEARNER_CONCEPT.c.pre_right,
        LEARNER_CONCEPT.c.pre_answered,
        LEARNER_CONCEPT.c.post_right,
        LEARNER_CONCEPT.c.post_answered,
    )
    .where(LEARNER_CONCEPT.c.user_id == bindparam("user_id"))
    .with_for_update()
)


def count_completed_pairs(attempt: Attempt, first: bool) -> list[tuple[tuple[str], tuple]]:
    """Count a stored attempt in its learner's learner_concept rows when it is their first at a
    quiz whose pre-test they took before; the (concept,) → amounts to move in their cohorts."""
    pre_tests = [p for p, q in _pairs(get_catalogue()).items() if q == attempt.quiz_id]
    if not first or not pre_tests or attempt.user_id is None:
        return []
    user_id = attempt.user_id
    phase_of = {
        pre_id: (user_id, PRE, quiz_id)
        for quiz_id, pre_id in db.session.execute(
            select(Attempt.quiz_id, func.min(Attempt.id))
            .where(Attempt.user_id == user_id, Attempt.quiz_id.in_(pre_tests))
            .group_by(Attempt.quiz_id)
        )
        if pre_id < attempt.id
    }
    if not phase_of:
        return []
    phase_of[attempt.id] = (user_id, POST, attempt.quiz_id)
    counts = _counts(db.session.execute, phase_of)
    old = {
        row[0]: tuple(row[1:]) for row in db.session.execute(_LEARNER_ROWS, {"user_id": user_id})
    }
    db.session.execute(
        _ADD_TO_LEARNER,
        [
            {"user_id": user_id, "concept_id": concept, **dict(zip(_AMOUNTS, amounts, strict=True))}
            for (_, concept), amounts in sorted(counts.items())
        ],
    )
    moves = []
    for (_, concept), amounts in counts.items():
        before = old.get(concept, (0, 0, 0, 0))
        after = [b + a for b, a in zip(before, amounts, strict=True)]
        gone, came = _contribution(*before), _contribution(*after)
        moves.append(((concept,), tuple(c - g for c, g in zip(came, gone, strict=True))))
    return moves


_AMOUNTS = ("pre_right", "pre_answered", "post_right", "post_answered")


def concept_deltas(cohorts: list[int], moves: list[tuple[tuple[str], tuple]]) -> Deltas:
    """cohort_concept amounts for one attempt, in each of its learner's cohorts."""
    return for_cohorts(cohorts, moves)


def concepts_moved(cohort_ids: list[int], user_ids: list[int], sign: int) -> Deltas:
    """cohort_concept amounts for learners joining (sign 1) or leaving (-1) the cohorts."""
    c = LEARNER_CONCEPT.c
    rows = db.session.execute(
        select(c.concept_id, *(c[name] for name in _AMOUNTS)).where(c.user_id.in_(user_ids))
    )
    return for_cohorts(cohort_ids, (((row[0],), _contribution(*row[1:])) for row in rows), sign)


# ------------------------------------------------------------------------------ rebuild


def rebuild_concepts(connection: Connection) -> None:
    """Fill learner_concept from attempts and answers, then cohort_concept from it."""
    connection.execute(delete(CONCEPT))
    connection.execute(delete(LEARNER_CONCEPT))
    if not _pairs(get_catalogue()):
        return
    counts = _counts(
        connection.execute, _phases(connection.execute, [Attempt.user_id.is_not(None)])
    )
    rows = [
        {"user_id": user_id, "concept_id": concept, **dict(zip(_AMOUNTS, amounts, strict=True))}
        for (user_id, concept), amounts in sorted(counts.items())
    ]
    for chunk in chunks(rows):
        connection.execute(LEARNER_CONCEPT.insert(), chunk)
    member = learner_members()
    cohorts_of: dict[int, list[int]] = {}
    for cohort_id, user_id in connection.execute(select(member.c.cohort_id, member.c.user_id)):
        cohorts_of.setdefault(user_id, []).append(cohort_id)
    deltas: Deltas = {}
    for (user_id, concept), amounts in counts.items():
        for_cohorts(cohorts_of.get(user_id, []), [((concept,), _contribution(*amounts))], 1, deltas)
    add(connection.execute, CONCEPT, deltas)
