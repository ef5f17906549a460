from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.content_admin.blueprint import bp
from app.content_admin.forms import DecisionForm, RevertForm
from app.db import writes
from app.extensions import db
from app.services.catalogue import get_catalogue
from app.services.content_decisions import DecisionRefused, decide, revert_question
from app.services.content_impact import impact


@bp.before_request
def admins_only() -> Response | None:
    """Log in first; then the page is for administrators, and answers 404 to others."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not current_user.is_admin:
        abort(404)
    return None


@bp.get("")
def preview() -> str:
    catalogue = get_catalogue()
    return render_template(
        "content_admin/impact.html",
        found=impact(catalogue),
        catalogue=catalogue,
        form=DecisionForm(formdata=None),
        revert_form=RevertForm(formdata=None),
    )


def _back() -> Response:
    return redirect(url_for("content_admin.preview"), 303)


@bp.post("/decide")
@writes("POST")
def decide_question() -> Response:
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400, "Choose rescore, keep or void for one question.")
    key = form.question.data
    try:
        result = decide(
            get_catalogue(),
            key,
            form.decision.data,
            by_id=current_user.id,
            via="admin page",
            force=form.force.data,
        )
    except DecisionRefused as error:
        db.session.rollback()
        flash(
            str(error).replace("add --force", "tick “also when it turns passes into fails”"),
            "error",
        )
        return _back()
    db.session.commit()
    flash(
        f"{key}: {form.decision.data} recorded; {result.attempts_changed} attempt(s) changed and "
        "the reports brought up to date.",
        "success",
    )
    return _back()


@bp.post("/revert")
@writes("POST")
def revert() -> Response:
    form = RevertForm()
    if not form.validate_on_submit():
        abort(400, "Name the question whose decision to revert.")
    try:
        record = revert_question(form.question.data, via=f"admin page ({current_user.email})")
    except DecisionRefused as error:
        db.session.rollback()
        flash(str(error), "error")
        return _back()
    db.session.commit()
    flash(f"{form.question.data}: the {record.decision} decision is reverted.", "success")
    return _back()
