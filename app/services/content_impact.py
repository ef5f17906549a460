"""What a content change does to answers already stored: per changed or removed question, how
many answers (by how many learners) were given to an older version, how many would now score
differently, what changed, and which passes a rescore would turn into fails. Reads only.

Stored answers carry a fingerprint of the question version they answered, not its text. The
text of an older version is known when it is on record (app/services/question_versions.py: every
version the app has served since migration 0009), or when the reference catalogue (the content
the app serves, when a folder of edited content is previewed) still holds it. Grading always
goes through the question's kind, so every kind is judged by its own rules.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.content import QUESTION_KINDS, Catalogue, Question, Quiz
from app.extensions import db
from app.models import Answer, Attempt, Certificate, ContentDecision
from app.services.question_versions import QuestionSnapshot, VersionKey, snapshot_of, snapshots


@dataclass
class StoredAnswer:
    answer_id: int
    attempt_id: int
    user_id: int | None
    version: str
    selected: list[str]
    correct: bool


@dataclass
class AttemptState:
    id: int
    user_id: int | None
    score: int
    max_score: int
    passed: bool | None
    protected: bool  # a certificate was issued on it: it keeps its score


@dataclass
class QuestionImpact:
    """One changed or removed question that has answers to an older version."""

    quiz_id: str
    question_id: str
    question: Question | None  # today's version; None when removed
    quiz: Quiz | None
    answers: list[StoredAnswer] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    would_change: int = 0
    rescorable: bool = False
    why_not_rescorable: str = ""
    pass_to_fail: dict[str, list[int]] = field(default_factory=dict)  # decision → attempt ids
    decision: ContentDecision | None = None  # the one in force
    older: dict[str, QuestionSnapshot] = field(default_factory=dict)  # versions known, by version
    unknown_versions: int = 0  # older versions answered whose text is not on record

    @property
    def key(self) -> str:
        return f"{self.quiz_id}/{self.question_id}"

    @property
    def learners(self) -> int:
        return len({a.user_id for a in self.answers})

    @property
    def line(self) -> str:
        return (
            f"{self.key}: {len(self.answers)} answers by {self.learners} learners to an older "
            f"version; {self.would_change} would now score differently"
        )

    @property
    def description(self) -> str:
        return "; ".join(self.changes)


@dataclass
class Impact:
    questions: list[QuestionImpact]
    content_version: str

    @property
    def answers(self) -> int:
        return sum(len(q.answers) for q in self.questions)

    @property
    def learners(self) -> int:
        return len({a.user_id for q in self.questions for a in q.answers})

    @property
    def would_change(self) -> int:
        return sum(q.would_change for q in self.questions)

    @property
    def total_line(self) -> str:
        return (
            f"Total: {len(self.questions)} changed question(s) with {self.answers} answers by "
            f"{self.learners} learners to older versions; {self.would_change} would now score "
            "differently"
        )

    def question(self, key: str) -> QuestionImpact | None:
        return next((q for q in self.questions if q.key == key), None)


def _old_answers(catalogue: Catalogue) -> dict[tuple[str, str], list[StoredAnswer]]:
    """Marked answers whose question version is not today's (or whose question is gone)."""
    current = {
        (quiz.id, q.id): q.version for quiz in catalogue.quizzes.values() for q in quiz.questions
    }
    found: dict[tuple[str, str], list[StoredAnswer]] = defaultdict(list)
    rows = db.session.execute(
        select(
            Attempt.quiz_id,
            Answer.question_id,
            Answer.question_version,
            Answer.id,
            Attempt.id,
            Attempt.user_id,
            Answer.selected,
            Answer.correct,
        )
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Answer.correct.is_not(None))
        .order_by(Answer.id)
    )
    for quiz_id, question_id, version, answer_id, attempt_id, user_id, selected, correct in rows:
        if current.get((quiz_id, question_id)) == version:
            continue
        found[(quiz_id, question_id)].append(
            StoredAnswer(answer_id, attempt_id, user_id, version, list(selected), bool(correct))
        )
    return found


def regrade(question: Question, selected: list[str]) -> bool:
    """Whether this selection is right by today's key (an answer today's question would refuse,
    naming an option that is gone, is not)."""
    kind = QUESTION_KINDS[question.kind]
    if kind.answer_problem(question, selected) is not None:
        return False
    return bool(kind.is_correct(question, selected))


def _describe(old: QuestionSnapshot, new: QuestionSnapshot) -> list[str]:
    changes = []
    if old.kind != new.kind:
        changes.append(f"kind changed ({old.kind} → {new.kind})")
    if old.prompt != new.prompt:
        changes.append("prompt reworded")
    old_texts, new_texts = old.option_texts, new.option_texts
    added = [i for i in new_texts if i not in old_texts]
    removed = [i for i in old_texts if i not in new_texts]
    reworded = [i for i in new_texts if i in old_texts and old_texts[i] != new_texts[i]]
    for label, ids in (("added", added), ("removed", removed), ("reworded", reworded)):
        if ids:
            changes.append(f"option(s) {label}: {', '.join(ids)}")
    if old.key != new.key:
        changes.append(f"key changed ({', '.join(old.key)} → {', '.join(new.key)})")
    if old.scoring != new.scoring:
        changes.append(f"scoring changed ({old.scoring} → {new.scoring})")
    return changes or ["explanation or feedback only"]


def _known_versions(
    items: list[QuestionImpact], reference: Catalogue | None
) -> dict[VersionKey, QuestionSnapshot]:
    """The older versions answered whose text is known: on record, or still in `reference`."""
    keys = {(i.quiz_id, i.question_id, a.version) for i in items for a in i.answers}
    known = snapshots(keys)
    for quiz_id, question_id, version in keys:
        quiz = reference.quiz(quiz_id) if reference is not None else None
        question = quiz.question(question_id) if quiz else None
        if question is not None and question.version == version:
            known.setdefault((quiz_id, question_id, version), snapshot_of(question))
    return known


def _judge(item: QuestionImpact) -> None:
    """Fill in what changed, how many answers would score differently, whether a rescore is
    possible (`item.older` holds the older versions whose text is known)."""
    new = item.question
    if new is None:
        item.changes = ["removed" if item.quiz else "removed, with its quiz"]
        item.would_change = sum(1 for a in item.answers if a.correct)
        item.why_not_rescorable = "the question was removed"
        return
    now = snapshot_of(new)
    for old in item.older.values():
        item.changes += [c for c in _describe(old, now) if c not in item.changes]
    if item.unknown_versions:
        item.changes.append(
            f"{item.unknown_versions} older version(s) whose text is not on record"
            " (preview with --dir before deploying to see it)"
        )
    gone = sorted({o for a in item.answers for o in a.selected if new.option(o) is None})
    if gone and not any("removed" in c for c in item.changes):
        item.changes.append(f"option(s) removed: {', '.join(gone)}")
    item.would_change = sum(1 for a in item.answers if regrade(new, a.selected) != a.correct)
    if any(old.kind != now.kind for old in item.older.values()):
        item.why_not_rescorable = "its kind changed"
    elif gone or any(
        sorted(old.option_ids) != sorted(now.option_ids) for old in item.older.values()
    ):
        item.why_not_rescorable = "its options are not the same ids as before"
    else:
        item.rescorable = True


def attempt_states(attempt_ids: set[int], course_id: str | None) -> dict[int, AttemptState]:
    """The attempts' scores, and whether a certificate was issued on them (issued after they
    were submitted, to their learner): those keep the score they had."""
    states: dict[int, AttemptState] = {}
    if not attempt_ids:
        return states
    issued: dict[int, Any] = {}
    if course_id is not None:
        issued = dict(
            db.session.execute(
                select(Certificate.user_id, Certificate.issued_at).where(
                    Certificate.course_id == course_id, Certificate.revoked_at.is_(None)
                )
            ).all()
        )
    for row in db.session.execute(
        select(
            Attempt.id,
            Attempt.user_id,
            Attempt.score,
            Attempt.max_score,
            Attempt.passed,
            Attempt.submitted_at,
        ).where(Attempt.id.in_(sorted(attempt_ids)))
    ):
        when = issued.get(row.user_id)
        protected = when is not None and row.submitted_at <= when
        states[row.id] = AttemptState(
            row.id, row.user_id, row.score, row.max_score, row.passed, protected
        )
    return states


def passes(quiz: Quiz | None, score: int, max_score: int) -> bool:
    """The pass rule of submit_attempt, for a score worked out again."""
    return score * 100 >= ((quiz.pass_mark if quiz else 0) or 0) * max_score


def outcome(
    item: QuestionImpact, decision: str, states: dict[int, AttemptState]
) -> dict[int, tuple[int, int]]:
    """The (score, max) each affected, unprotected attempt would have under the decision."""
    new_scores: dict[int, tuple[int, int]] = {}
    for answer in item.answers:
        state = states.get(answer.attempt_id)
        if state is None or state.protected:
            continue
        score, maximum = new_scores.get(state.id, (state.score, state.max_score))
        if decision == "void":
            score, maximum = score - int(answer.correct), maximum - 1
        elif decision == "rescore" and item.question is not None:
            score += int(regrade(item.question, answer.selected)) - int(answer.correct)
        new_scores[state.id] = (score, maximum)
    return new_scores


def pass_to_fail(item: QuestionImpact, decision: str, states: dict[int, AttemptState]) -> list[int]:
    """The passed attempts the decision would turn into fails."""
    return sorted(
        attempt_id
        for attempt_id, (score, maximum) in outcome(item, decision, states).items()
        if states[attempt_id].passed and not passes(item.quiz, score, maximum)
    )


def active_decisions() -> dict[tuple[str, str], ContentDecision]:
    """The decisions in force (not reverted), by (quiz id, question id)."""
    rows = db.session.scalars(
        select(ContentDecision)
        .where(ContentDecision.reverted_at.is_(None))
        .order_by(ContentDecision.decided_at, ContentDecision.id)
    )
    return {(d.quiz_id, d.question_id): d for d in rows}


def impact(catalogue: Catalogue, reference: Catalogue | None = None) -> Impact:
    """Every changed or removed question of `catalogue` with answers to an older version.
    `reference` is the content those answers may have been given to (for describing)."""
    decisions = active_decisions()
    items = []
    for (quiz_id, question_id), answers in sorted(_old_answers(catalogue).items()):
        quiz = catalogue.quiz(quiz_id)
        question = quiz.question(question_id) if quiz else None
        item = QuestionImpact(quiz_id, question_id, question, quiz, answers)
        item.decision = decisions.get((quiz_id, question_id))
        items.append(item)
    known = _known_versions(items, reference)
    for item in items:
        versions = sorted({a.version for a in item.answers})
        item.older = {
            v: known[(item.quiz_id, item.question_id, v)]
            for v in versions
            if (item.quiz_id, item.question_id, v) in known
        }
        item.unknown_versions = len(versions) - len(item.older)
        _judge(item)
    course_id = catalogue.course.id if catalogue.course else None
    states = attempt_states({a.attempt_id for i in items for a in i.answers}, course_id)
    for item in items:
        for decision in ("rescore", "void"):
            if decision == "rescore" and not item.rescorable:
                continue
            item.pass_to_fail[decision] = pass_to_fail(item, decision, states)
    return Impact(items, catalogue.version)
