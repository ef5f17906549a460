"""Learners joining a cohort with the code (or the link) their trainer gave them.

The addresses stay /trainer/join… as they were printed and shared before this moved here.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app.db import writes
from app.extensions import db, limiter
from app.forms import ConfirmForm
from app.learn.blueprint import bp
from app.services import cohorts, invitations


class JoinForm(FlaskForm):
    code = StringField(
        "Join code",
        validators=[DataRequired(), Length(max=32)],
        description="The code your trainer gave you, like K7QH3MXP.",
    )
    submit = SubmitField("Join")


@bp.route("/trainer/join", methods=["GET", "POST"])
@writes("POST")
@login_required
@limiter.limit(
    "30 per 10 minutes",
    methods=["POST"],
    deduct_when=lambda r: r.status_code == 422,
    scope="cohort-join",
)
def join() -> Response | tuple[str, int]:
    """A learner joins a cohort with the code their trainer gave them."""
    form = JoinForm()
    if form.validate_on_submit():
        try:
            cohort, joined = cohorts.join_cohort(current_user, form.code.data)
        except cohorts.CohortError as error:
            form.code.errors.append(error.message)
        else:
            db.session.commit()
            message = "You joined" if joined else "You are already in"
            flash(f"{message} the cohort “{cohort.name}”.", "success")
            return redirect(url_for("learn.home"), 303)
    return render_template(
        "learn/join.html",
        form=form,
        joined=cohorts.cohorts_joined(current_user.id),
        consent=invitations.CONSENT_TEXT,
    ), 422 if form.errors else 200


@bp.get("/trainer/join/<code>")
@login_required
def join_with_code(code: str) -> str:
    """The join link: the form, filled in with the code, one click from joining."""
    form = JoinForm(formdata=None, code=cohorts.normalise_code(code)[:32])
    return render_template(
        "learn/join.html",
        form=form,
        cohort=cohorts.cohort_by_code(code),
        joined=cohorts.cohorts_joined(current_user.id),
        consent=invitations.CONSENT_TEXT,
    )


@bp.get("/invitations", endpoint="invitations")
@login_required
def invitations_page() -> str:
    """The cohorts a trainer invited the learner to, each to accept or decline."""
    return render_template(
        "learn/invitations.html",
        invitations=invitations.pending_for(current_user.id),
        consent=invitations.CONSENT_TEXT,
        confirm=ConfirmForm(),
    )


@bp.post("/invitations/<int:invitation_id>/<any(accept, decline):answer>")
@writes("POST")
@login_required
def answer_invitation(invitation_id: int, answer: str) -> Response:
    """Accept (become a learner of the cohort) or decline an invitation of one's own."""
    invitation = invitations.pending_invitation(current_user.id, invitation_id)
    if invitation is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    cohort = cohorts.answer_invitation(invitation, answer == "accept")
    db.session.commit()
    if answer == "accept":
        flash(f"You joined the cohort “{cohort.name}”.", "success")
    else:
        flash(f"You declined the invitation to “{cohort.name}”.", "info")
    return redirect(url_for("learn.invitations"), 303)
