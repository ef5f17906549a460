"""The learner's side of the API: modules and lessons, quizzes, attempts and their history."""

from __future__ import annotations

from typing import Any

from app.content import Lesson, Module, Quiz
from app.serializers import iso_utc
from app.services.concept_results import ConceptResult
from app.services.progress import ModuleProgress
from app.services.results import AnsweredQuestion, AttemptResult, AttemptSummary, ProfileResult


def module_json(entry: ModuleProgress) -> dict[str, Any]:
    """A module with its lessons and quizzes, and the learner's progress in each."""
    return {
        "id": entry.module.id,
        "title": entry.module.title,
        "summary": entry.module.summary,
        "estimated_minutes": entry.module.estimated_minutes,
        "lessons": [
            {"id": lesson.id, "title": lesson.title, "completed": lesson.id in entry.lessons_read}
            for lesson in entry.module.lessons
        ],
        "quizzes": [
            {
                "id": status.quiz.id,
                "title": status.quiz.title,
                "kind": status.quiz.kind,
                "attempts": status.attempts,
                "best_score": status.best_score,
                "max_score": status.quiz.max_score,
                "passed": status.passed,
            }
            for status in entry.quizzes
        ],
        "pre_tests": [
            {
                "id": status.quiz.id,
                "title": status.quiz.title,
                "pre_test_of": status.quiz.pre_test_of,
                "questions": len(status.quiz.questions),
                "taken": status.attempts > 0,
                # Never required: it is not counted for completion (see Quiz.is_graded).
                "skippable": not status.quiz.is_graded,
            }
            for status in entry.quizzes
            if status.quiz.is_pre_test
        ],
        "progress": {
            "lessons_completed": entry.lessons_completed,
            "lessons_total": len(entry.module.lessons),
            "completed": entry.completed,
            "percent": entry.percent,
        },
    }


def lesson_json(module: Module, lesson: Lesson) -> dict[str, Any]:
    """A lesson's text, with the ids of the steps before and after it in its module, and the
    figures and widget its page shows after the text (`html` holds the text only)."""
    before, after = module.neighbours(lesson.id)
    return {
        "id": lesson.id,
        "module_id": module.id,
        "title": lesson.title,
        "html": lesson.html,
        "figures": list(lesson.figures),
        "widget": lesson.widget,
        "previous": before.id if before else None,
        "next": after.id if after else None,
    }


def review_json(policy: str | int) -> dict[str, Any]:
    """A quiz's review policy: {"policy": "always" | "after_pass" | "after_attempts", ...}."""
    if isinstance(policy, int):
        return {"policy": "after_attempts", "after_attempts": policy}
    return {"policy": policy}


def quiz_json(quiz: Quiz, module_id: str | None, attempt_number: int) -> dict[str, Any]:
    """A quiz's questions as a learner sees them in their next attempt (`quiz` is presented in
    its options' order for that learner and attempt); no answers."""
    return {
        "id": quiz.id,
        "title": quiz.title,
        "kind": quiz.kind,
        "pass_mark": quiz.pass_mark,
        "pre_test_of": quiz.pre_test_of,
        "module_id": module_id,
        "feedback": quiz.feedback,
        "review": review_json(quiz.review_policy),
        "attempt_number": attempt_number,
        "questions": [
            {
                "id": question.id,
                "kind": question.kind,
                "prompt": question.prompt,
                "shuffle": question.shuffle,
                "scoring": question.scoring,
                "options": [{"id": o.id, "text": o.text} for o in question.display_options],
            }
            for question in quiz.questions
        ],
    }


def profile_json(result: ProfileResult) -> dict[str, Any]:
    """A profile result with the catalogue's labels; its fields depend on the profile's kind."""
    shown: dict[str, Any] = {
        "id": result.id,
        "title": result.title,
        "kind": result.kind,
        "totals": result.totals,
    }
    if result.kind == "dominant":
        shown["traits"] = [
            {"id": t.id, "label": t.label, "description": t.description} for t in result.traits
        ]
    elif result.kind == "grid":
        shown["x"], shown["y"] = result.x, result.y
        cell = result.cell
        if cell is not None:
            shown["cell"] = {
                "title": cell.title,
                "subtitle": cell.subtitle,
                "description": cell.description,
                "advice_html": cell.advice_html,
            }
    elif result.kind == "trust-formula":
        focus = result.focus
        shown["trust"] = result.trust
        shown["scores"] = [{"id": s.id, "label": s.label, "score": s.score} for s in result.scores]
        shown["focus"] = (
            {"id": focus.id, "label": focus.label, "description": focus.description}
            if focus
            else None
        )
    return shown


def _answered_json(answer: AnsweredQuestion) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": answer.id,
        "kind": answer.kind,
        "correct": answer.correct,
        "credit": answer.credit,
        "selected": list(answer.selected),
        "question_version": answer.question_version,
        "current_version": answer.current_version,
    }
    if answer.question is not None:  # a question the quiz no longer has shows its answer only
        entry["shown_option_ids"] = [o.id for o in answer.question.display_options]
        entry["answer_hidden"] = answer.answer_hidden
        entry["correct_option_ids"] = answer.correct_option_ids
        entry["explanation"] = answer.explanation
        entry["explanation_html"] = answer.explanation_html
        entry["suggested_answer"] = answer.suggested_answer
        entry["feedback"] = answer.feedback
    return entry


def concept_json(concept: ConceptResult) -> dict[str, Any]:
    """The learner's result on one concept in one attempt, with the lesson that teaches it."""
    return {
        "id": concept.concept_id,
        "title": concept.title,
        "right": concept.right,
        "answered": concept.answered,
        "strong": concept.strong,
        "lesson": {
            "module_id": concept.module_id,
            "lesson_id": concept.lesson_id,
            "title": concept.lesson_title,
        },
    }


def attempt_json(result: AttemptResult, concepts: list[ConceptResult]) -> dict[str, Any]:
    """An attempt with every answer, its explanation, the profile results and the result per
    concept."""
    return {
        "id": result.id,
        "quiz_id": result.quiz_id,
        "score": result.score,
        "max_score": result.max_score,
        "passed": result.passed,
        "submitted_at": iso_utc(result.submitted_at),
        "retake_of": result.retake_of_id,
        "review_allowed": result.review_allowed,
        "questions": [_answered_json(answer) for answer in result.questions],
        "profile": [profile_json(p) for p in result.profile],
        "concepts": [concept_json(c) for c in concepts],
    }


def history_json(history: dict[str, list[AttemptSummary]]) -> list[dict[str, Any]]:
    """Every attempt of the learner, quiz by quiz, newest first within each."""
    return [
        {
            "id": entry.id,
            "quiz_id": quiz_id,
            "score": entry.score,
            "max_score": entry.max_score,
            "passed": entry.passed,
            "submitted_at": iso_utc(entry.submitted_at),
            "retake_of": entry.retake_of_id,
            "profile": [profile_json(p) for p in entry.profile],
        }
        for quiz_id, entries in history.items()
        for entry in entries
    ]
