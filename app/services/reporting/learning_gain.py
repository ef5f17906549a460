"""Learning gain per concept: the share of a concept's questions learners got right in the
module's pre-test (before the lessons) and in the quiz it is the pre-test of (after), and the
normalised gain ⟨g⟩ = (post − pre) / (100 − pre), over the learners who have both.

Each learner's first attempt at each quiz counts, and a pre-test counts only when it was taken
before that first attempt at the quiz. Shares are averaged over learners (each weighs the same);
⟨g⟩ is worked out from those averages, as Hake defined it. Computed live only: a figure over a
few hundred answers per concept needs no summary table.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.content import Catalogue
from app.content.course import Concept
from app.extensions import db
from app.models import Answer, Attempt
from app.services.catalogue import get_catalogue
from app.services.reporting.common import ReportFilter

MIN_LEARNERS = 5  # below this, a gain says more about the few learners than about the course


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


def _pairs(catalogue: Catalogue) -> dict[str, str]:
    """Pre-test id → the quiz it is the pre-test of."""
    return {q.id: q.pre_test_of for q in catalogue.quizzes.values() if q.pre_test_of}


def _first_attempts(f: ReportFilter, quiz_ids: list[str]) -> dict[tuple[int, str], tuple]:
    """(learner, quiz) → (attempt id, submitted at) of their first attempt within the range."""
    first: dict[tuple[int, str], tuple[int, datetime]] = {}
    for attempt_id, user_id, quiz_id, when in db.session.execute(
        select(Attempt.id, Attempt.user_id, Attempt.quiz_id, Attempt.submitted_at)
        .where(*f.attempts(), Attempt.quiz_id.in_(quiz_ids))
        .order_by(Attempt.submitted_at, Attempt.id)
    ):
        first.setdefault((user_id, quiz_id), (attempt_id, when))
    return first


def learning_gain(f: ReportFilter) -> list[ConceptGain]:
    """Per concept the pre-tests check, in the course's order of concepts (two queries)."""
    catalogue = get_catalogue()
    pairs = _pairs(catalogue)
    if not pairs or catalogue.course is None:
        return []
    first = _first_attempts(f, [*pairs, *pairs.values()])
    phase_of: dict[int, tuple[int, str]] = {}  # attempt id → (learner, "pre" or "post")
    for (user_id, quiz_id), (attempt_id, when) in first.items():
        target = pairs.get(quiz_id)
        if target is None:
            continue
        post = first.get((user_id, target))
        if post is not None and when <= post[1]:
            phase_of[attempt_id] = (user_id, "pre")
            phase_of[post[0]] = (user_id, "post")
    quizzes = {a: q for (u, q), (a, _) in first.items()}
    # (concept, learner) → phase → [right, answered]
    counts: dict[tuple[str, int], dict[str, list[int]]] = defaultdict(
        lambda: {"pre": [0, 0], "post": [0, 0]}
    )
    if phase_of:
        for attempt_id, question_id, correct in db.session.execute(
            select(Answer.attempt_id, Answer.question_id, Answer.correct).where(
                Answer.attempt_id.in_(sorted(phase_of)), Answer.correct.is_not(None)
            )
        ):
            quiz = catalogue.quiz(quizzes[attempt_id])
            question = quiz.question(question_id) if quiz else None
            user_id, phase = phase_of[attempt_id]
            for concept in question.concepts if question else []:
                entry = counts[(concept, user_id)][phase]
                entry[0] += int(bool(correct))
                entry[1] += 1
    return [
        _gain(concept, counts)
        for concept in catalogue.course.concepts
        if _checked(concept.id, pairs, catalogue)
    ]


def _checked(concept_id: str, pairs: dict[str, str], catalogue: Catalogue) -> bool:
    return any(concept_id in q.concepts for p in pairs for q in catalogue.quizzes[p].questions)


def _gain(concept: Concept, counts: dict) -> ConceptGain:
    pre_shares, post_shares = [], []
    for (concept_id, _user), phases in counts.items():
        if concept_id != concept.id or not phases["pre"][1] or not phases["post"][1]:
            continue
        pre_shares.append(100 * phases["pre"][0] / phases["pre"][1])
        post_shares.append(100 * phases["post"][0] / phases["post"][1])
    n = len(pre_shares)
    pre = sum(pre_shares) / n if n else None
    post = sum(post_shares) / n if n else None
    gain = None
    if pre is not None and post is not None and pre < 100:
        gain = (post - pre) / (100 - pre)
    return ConceptGain(concept.id, concept.title, concept.lesson, n, pre, post, gain)
