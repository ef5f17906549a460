"""The JSON shapes of the cohort report and of one learner's answers (API v1)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from app.models import User
from app.serializers import iso_utc
from app.serializers.learning import profile_json
from app.services.reporting import (
    AttemptView,
    CohortReport,
    ConceptGain,
    DecisionNote,
    HeldCertificate,
    LearnerRef,
    LearnerSummary,
    QuestionStats,
    QuizStats,
    learners_json_text,
)

# A learner in the report's list, in the database-written JSON as in Python's: who, and their
# newest certificate in the range (null without one).
LEARNER_KEYS = (
    "id",
    "name",
    "email",
    "certificate_issued_on",
    "certificate_code",
    "certificate_revoked",
)


def _learner_json(learner: LearnerRef, held: HeldCertificate | None) -> dict[str, Any]:
    values = (learner.id, learner.name, learner.email)
    if held is None:
        return dict(zip(LEARNER_KEYS, (*values, None, None, None), strict=True))
    certificate = (held.issued_at.date().isoformat(), held.code, held.revoked)
    return dict(zip(LEARNER_KEYS, (*values, *certificate), strict=True))


def _question_json(q: QuestionStats) -> dict[str, Any]:
    return {
        "id": q.id,
        "version": q.version,
        "answered": q.answered,
        "scoring": "partial" if q.partial else "all",
        "facility": q.facility,
        "fully_right": q.fully_right,
        "average_credit": q.average_credit if q.partial else None,
        "discrimination": q.discrimination,
        "options": [{"id": o.id, "count": o.count} for o in q.options],
        "flags": q.flags,
    }


def _distribution_json(q: QuizStats) -> list[dict[str, Any]] | None:
    """The best scores' distribution, as the overview charts it (None for an ungraded quiz)."""
    if not q.quiz.is_graded:
        return None
    keys = ("score", "below", "label", "learners", "passes")
    return [{key: column[key] for key in keys} for column in q.distribution]


def gain_json(g: ConceptGain) -> dict[str, Any]:
    """Learning gain on one concept: percent right before and after, ⟨g⟩, and over how many."""
    return {
        "concept_id": g.concept_id,
        "title": g.title,
        "lesson": g.lesson,
        "pre_percent": g.pre,
        "post_percent": g.post,
        "gain": g.gain,
        "learners": g.learners,
        "too_small": g.too_few,
    }


def decision_json(note: DecisionNote) -> dict[str, Any]:
    """One decision on answers given to an older version of a changed question."""
    return {
        "question": note.question,
        "quiz_id": note.quiz_id,
        "question_id": note.question_id,
        "decision": note.decision,
        "says": note.says,
        "by": note.by,
        "decided_at": iso_utc(note.at),
        "content_version": note.content_version,
        "question_version": note.question_version or None,
        "answers": note.answers,
        "attempts_changed": note.attempts_changed,
        "forced": note.forced,
        "reverted_at": iso_utc(note.reverted_at),
    }


def report_json(report: CohortReport) -> dict[str, Any]:
    """The report as GET /api/v1/cohorts/{id}/report returns it."""
    f = report.filter
    return {
        "cohort": {"id": report.cohort.id, "name": report.cohort.name},
        "filter": {
            "from": f.date_from.isoformat() if f.date_from else None,
            "to": f.date_to.isoformat() if f.date_to else None,
        },
        "learners": [_learner_json(x, report.held.get(x.id)) for x in report.learners],
        "certificates": {
            "held": report.certificates.held,
            "revoked": report.certificates.revoked,
        },
        "modules": [
            {
                "id": m.module.id,
                "title": m.module.title,
                "started": m.started,
                "completed": m.completed,
            }
            for m in report.modules
        ],
        "quizzes": [
            {
                "id": q.quiz.id,
                "title": q.quiz.title,
                "kind": q.quiz.kind,
                "attempts": q.attempts,
                "learners": q.learners,
                "mean_best_score": q.mean_best_score,
                "pass_rate": q.pass_rate,
                "score_distribution": _distribution_json(q),
                "questions": [_question_json(x) for x in q.questions],
                "older_versions": [_question_json(x) for x in q.older],
            }
            for q in report.quizzes
        ],
        "learning_gain": [gain_json(g) for g in report.gain],
        "decisions": [decision_json(d) for d in report.decisions],
    }


def report_json_text(report: CohortReport) -> str:
    """The API's report as JSON text, as jsonify would write it, but with the learners written
    by the database (`learners_json_text`): ask for the report without them
    (`cohort_report(f, with_learners=False)`)."""
    body = report_json(report)
    del body["learners"]
    rest = current_app.json.dumps(body, separators=(",", ":"))
    learners = learners_json_text(report.filter, LEARNER_KEYS)
    return '{"learners":' + learners + "," + rest[1:] + "\n"


def learner_summary_json(summary: LearnerSummary) -> dict[str, Any]:
    """The top of the drill-down: the same figures the trainer's page shows."""
    held = summary.certificate
    return {
        "lessons_read": summary.lessons_read,
        "lessons": summary.lessons_total,
        "modules_completed": sorted(summary.row.completed),
        "modules": len(summary.modules),
        "last_activity": iso_utc(summary.row.last_activity),
        "quizzes": [
            {
                "id": q.quiz.id,
                "attempts": q.cell.attempts if q.cell else 0,
                "best_score": q.cell.best if q.cell else None,
                "max_score": q.quiz.max_score,
                "passed": q.passed,
            }
            for q in summary.quizzes
        ],
        "profiles": [
            {
                "quiz_id": p.quiz.id,
                "title": p.title,
                "submitted_at": iso_utc(p.submitted_at),
                "result": profile_json(p.result),
            }
            for p in summary.profiles
        ],
        "certificate": (
            {"code": held.code, "issued_at": iso_utc(held.issued_at), "revoked": held.revoked}
            if held
            else None
        ),
        "previous_learner_id": summary.previous.id if summary.previous else None,
        "next_learner_id": summary.next.id if summary.next else None,
    }


def learner_json(user: User, summary: LearnerSummary, views: list[AttemptView]) -> dict[str, Any]:
    """A learner's summary and attempts with every answer, as GET
    /api/v1/cohorts/{id}/learners/{id} says."""
    return {
        "learner": {"id": user.id, "name": user.name, "email": user.email},
        "summary": learner_summary_json(summary),
        "attempts": [
            {
                "id": v.attempt.id,
                "quiz_id": v.attempt.quiz_id,
                "number": v.number,
                "score": v.attempt.score,
                "max_score": v.attempt.max_score,
                "passed": v.attempt.passed,
                "retake_of": v.attempt.retake_of_id,
                "started_at": iso_utc(v.attempt.started_at),
                "submitted_at": iso_utc(v.attempt.submitted_at),
                "seconds": v.seconds,
                "answers": [
                    {
                        "question_id": a.question_id,
                        "question_version": a.question_version,
                        "current_version": a.current_version,
                        "selected": [option_id for option_id, _ in a.selected],
                        "correct": a.correct,
                        "credit": a.credit,
                    }
                    for a in v.answers
                ],
            }
            for v in views
        ],
    }
