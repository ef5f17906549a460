"""Taking and reverting decisions on answers to older versions of changed questions.

One decision is in force per question; taking another reverts it first. Applying changes the
answers (rescore) and the attempts' scores and passes (rescore, void), records every value it
overwrote in the decision, and rebuilds the report summaries, all in the caller's transaction
(services flush; the command or the view commits once).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

from app.content import Catalogue
from app.db import begin_writing
from app.extensions import db
from app.models import DECISIONS, Answer, Attempt, ContentDecision, utcnow
from app.services.content_impact import (
    QuestionImpact,
    active_decisions,
    attempt_states,
    exact,
    impact,
    outcome,
    pass_to_fail,
    passes,
    regrade,
)
from app.services.reporting import hooks


class DecisionRefused(ValueError):
    """The decision cannot be taken as asked; nothing was changed."""


@dataclass(frozen=True)
class DecisionResult:
    decision: ContentDecision
    attempts_changed: int
    kept_for_certificates: int  # attempts a certificate was issued on: they keep their score
    pass_to_fail: list[int]


def _split(key: str) -> tuple[str, str]:
    quiz_id, _, question_id = key.partition("/")
    return quiz_id, question_id


def _item(catalogue: Catalogue, reference: Catalogue | None, key: str) -> QuestionImpact:
    found = impact(catalogue, reference).question(key)
    if found is None:
        raise DecisionRefused(
            f"{key}: no answers to an older version of this question (see `content impact`)"
        )
    return found


def decide(
    catalogue: Catalogue,
    key: str,
    decision: str,
    *,
    by_id: int | None,
    via: str,
    force: bool = False,
    reference: Catalogue | None = None,
) -> DecisionResult:
    """Take `decision` (rescore, keep or void) on the question QUIZ/QUESTION. Flushes only."""
    if decision not in DECISIONS:
        raise DecisionRefused(f"decide one of: {', '.join(DECISIONS)}")
    begin_writing()
    current = active_decisions().get(_split(key))
    if current is not None:
        revert(current, via=via)
    item = _item(catalogue, reference, key)
    if decision == "rescore" and not item.rescorable:
        raise DecisionRefused(f"{key} cannot be rescored: {item.why_not_rescorable}")
    course_id = catalogue.course.id if catalogue.course else None
    states = attempt_states({a.attempt_id for a in item.answers}, course_id)
    failing = pass_to_fail(item, decision, states) if decision != "keep" else []
    if failing and not force:
        raise DecisionRefused(
            f"{key}: {decision} would turn {len(failing)} passed attempt(s) into fails "
            f"(attempt ids {', '.join(map(str, failing))}); add --force to do it anyway"
        )
    record = ContentDecision(
        quiz_id=item.quiz_id,
        question_id=item.question_id,
        decision=decision,
        question_version=item.question.version if item.question else "",
        content_version=catalogue.version,
        decided_by_id=by_id,
        decided_via=via[:120],
        decided_at=utcnow(),
        forced=bool(failing) and force,
        answers=len(item.answers),
        changes={"answers": [], "attempts": []},
    )
    changed = 0
    if decision != "keep":
        changed = _apply(record, item, decision, states)
    record.attempts_changed = changed
    db.session.add(record)
    db.session.flush()
    hooks.rebuild(db.session.connection())
    kept = len({a.attempt_id for a in item.answers if states[a.attempt_id].protected})
    return DecisionResult(record, changed, kept if decision != "keep" else 0, failing)


def _apply(record: ContentDecision, item: QuestionImpact, decision: str, states: dict) -> int:
    """Change the answers and attempts, remembering every value overwritten."""
    answers_before = []
    if decision == "rescore" and item.question is not None:
        for answer in item.answers:
            if states[answer.attempt_id].protected:
                continue
            now_right, now_credit = regrade(item.question, answer.selected)
            if (now_right, now_credit) != (answer.correct, answer.earned):
                answers_before.append([answer.answer_id, answer.correct, answer.credit])
                # Stored as a new submission stores it (see attempts._grade).
                db.session.execute(
                    update(Answer)
                    .where(Answer.id == answer.answer_id)
                    .values(correct=now_right, credit=round(float(now_credit), 6))
                )
    attempts_before = []
    for attempt_id, (exact_score, maximum) in sorted(outcome(item, decision, states).items()):
        state = states[attempt_id]
        passed = passes(item.quiz, exact_score, maximum) if state.passed is not None else None
        score = float(exact_score)
        if (exact_score, maximum, passed) == (exact(state.score), state.max_score, state.passed):
            continue
        attempts_before.append([attempt_id, state.score, state.max_score, state.passed])
        db.session.execute(
            update(Attempt)
            .where(Attempt.id == attempt_id)
            .values(score=score, max_score=maximum, passed=passed)
        )
    record.changes = {"answers": answers_before, "attempts": attempts_before}
    return len(attempts_before)


def revert(record: ContentDecision, *, via: str) -> None:
    """Put back every value the decision overwrote, and rebuild the summaries. Flushes only."""
    if record.reverted_at is not None:
        raise DecisionRefused("this decision was reverted already")
    begin_writing()
    for answer_id, correct, *credit in record.changes.get("answers", []):
        # Decisions taken before partial credit recorded no credit: it is left as it is.
        values = {"correct": correct, **({"credit": credit[0]} if credit else {})}
        db.session.execute(update(Answer).where(Answer.id == answer_id).values(**values))
    for attempt_id, score, maximum, passed in record.changes.get("attempts", []):
        db.session.execute(
            update(Attempt)
            .where(Attempt.id == attempt_id)
            .values(score=score, max_score=maximum, passed=passed)
        )
    record.reverted_at = utcnow()
    record.reverted_via = via[:120]
    db.session.flush()
    hooks.rebuild(db.session.connection())


def revert_question(key: str, *, via: str) -> ContentDecision:
    """Revert the decision in force on QUIZ/QUESTION."""
    current = active_decisions().get(_split(key))
    if current is None:
        raise DecisionRefused(f"{key}: no decision in force to revert")
    revert(current, via=via)
    return current
