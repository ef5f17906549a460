from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.content import render_grid_figure
from app.db import writes
from app.extensions import db
from app.learn import lesson_page, quiz_page
from app.learn.blueprint import bp
from app.learn.forms import (
    QuizFormBase,
    answers_from,
    build_quiz_form,
    field_name,
    sign_checked,
    started_at,
)
from app.services import attempts, certificates, invitations, progress, results
from app.services.catalogue import get_catalogue
from app.services.concept_results import attempt_concepts


def _module_or_404(module_id: str) -> ResponseReturnValue:
    module = get_catalogue().module(module_id)
    if module is None:
        abort(404)
    return module


def _quiz_or_404(quiz_id: str) -> ResponseReturnValue:
    quiz = get_catalogue().quiz(quiz_id)
    if quiz is None:
        abort(404)
    return quiz


def step_url(module_id: str, step: tuple[str, str] | None) -> str:
    if step is None:
        return url_for("learn.module", module_id=module_id)
    kind, item_id = step
    if kind == "lesson":
        return url_for("learn.lesson", module_id=module_id, lesson_id=item_id)
    return url_for("learn.quiz", quiz_id=item_id)


@bp.app_context_processor
def navigation_helpers() -> dict:
    return {"step_url": step_url, "field_name": field_name}


@bp.get("/")
def home() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        return render_template("learn/welcome.html", modules=get_catalogue().modules)
    return render_template(
        "learn/home.html",
        course=progress.course_progress(current_user.id),
        invited=len(invitations.pending_for(current_user.id)),
    )


@bp.get("/modules/<module_id>")
@login_required
def module(module_id: str) -> ResponseReturnValue:
    _module_or_404(module_id)
    return render_template(
        "learn/module.html", progress=progress.module_progress(current_user.id, module_id)
    )


@bp.get("/modules/<module_id>/lessons/<lesson_id>")
@login_required
def lesson(module_id: str, lesson_id: str) -> ResponseReturnValue:
    module = _module_or_404(module_id)
    current = module.lesson(lesson_id)
    if current is None:
        abort(404)
    module_progress, recorded = progress.open_lesson(current_user.id, module, lesson_id)
    if recorded:  # a page that only read has nothing to commit (and the commit costs)
        db.session.commit()
    before, after = module.neighbours(lesson_id)
    body = lesson_page.lesson_body(module, current, before, after, module_progress)
    return render_template("learn/lesson.html", lesson=current, body=body)


@bp.route("/quizzes/<quiz_id>", methods=["GET", "POST"])
@writes("POST")
@login_required
def quiz(quiz_id: str) -> ResponseReturnValue:
    quiz = _quiz_or_404(quiz_id)
    try:
        submitting = request.method == "POST" and "check" not in request.form
        page = quiz_page.load(current_user.id, quiz, request.values, submitting)
    except (quiz_page.NoSuchRetake, attempts.AnswersRejected):
        abort(404)
    form = build_quiz_form(page.quiz, page.form_questions)
    if form.validate_on_submit():
        answers = answers_from(form, page.form_questions)
        if answers is not None and page.one_by_one and not page.submitting:
            page = page.with_checked(answers)  # checked, not yet submitted: ask the next one
            form = build_quiz_form(page.quiz, page.form_questions, formdata=None)
            form.attempt_token.data = request.form.get("attempt_token", "")
        elif answers is not None:
            submitted = _submit(page, form, {**page.checked, **answers})
            if submitted is not None:
                return submitted
    return _quiz_template(page, form), 422 if form.errors else 200


def _submit(page: quiz_page.QuizPage, form: QuizFormBase, answers: dict) -> Response | None:
    """Store the attempt and send the learner to its result; None after flashing why not."""
    try:
        submission = attempts.submit_attempt(
            current_user.id,
            page.quiz,
            answers,
            idempotency_key="form:" + (form.attempt_token.data or "")[:70],
            started_at=started_at(form.attempt_token.data or ""),
            attempt_number=page.attempt_number,
            retake_of=page.retake_of,
        )
    except (attempts.AnswersRejected, attempts.IdempotencyConflict) as error:
        flash(str(error), "error")
        return None
    db.session.commit()
    return redirect(url_for("learn.attempt", attempt_id=submission.attempt.id), 303)


def _quiz_template(page: quiz_page.QuizPage, form: QuizFormBase) -> str:
    form.attempt_number.data = str(page.attempt_number)
    form.retake_of.data = str(page.retake_of or "")
    form.checked.data = sign_checked(form.attempt_token.data or "", page.checked)
    module = get_catalogue().module(get_catalogue().module_of_quiz[page.quiz.id])
    return render_template("learn/quiz.html", quiz=page.quiz, page=page, form=form, module=module)


@bp.get("/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int) -> ResponseReturnValue:
    found = results.attempt_of(current_user.id, attempt_id)
    if found is None:
        abort(404)
    quiz = get_catalogue().quiz(found.quiz_id)
    if quiz is None:
        abort(404)
    result = results.attempt_result(found)
    missed = attempts.missed_questions(current_user.id, quiz, found.id) if quiz.is_graded else None
    previous = results.previous_profile(current_user.id, found)
    figures = {
        p.id: render_grid_figure(p.profile, (p.x, p.y)) for p in result.profile if p.kind == "grid"
    }
    module = get_catalogue().module(get_catalogue().module_of_quiz[quiz.id])
    return render_template(
        "learn/result.html",
        quiz=result.quiz,
        result=result,
        missed=missed,
        previous=previous,
        figures=figures,
        module=module,
        next_step=progress.module_progress(current_user.id, module.id).next_step,
        concepts=attempt_concepts(result),
    )


@bp.get("/progress")
@login_required
def my_progress() -> ResponseReturnValue:
    return render_template(
        "learn/progress.html",
        course=progress.course_progress(current_user.id),
        history=results.history_by_quiz(current_user.id),
        certificates=certificates.certificates_of(current_user.id),
    )
