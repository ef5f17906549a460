"""Pages reached by a one-time link someone handed over (Rapport sends no email): a
password-reset link, and a personal invitation to a cohort (issue 12)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.auth.blueprint import bp
from app.auth.forms import SetPasswordForm
from app.auth.routes import security_log, start_session
from app.db import writes
from app.extensions import db
from app.models import User
from app.services import accounts, invitations, sign_in


def _link_not_valid(what: str, advice: str) -> tuple[str, int]:
    return render_template(
        "error.html",
        status=404,
        title=f"{what} not valid",
        message=f"This {what.lower()} has been used, replaced or has expired. {advice}",
    ), 404


@bp.route("/reset/<secret>", methods=["GET", "POST"])
@writes("POST")
def reset_password(secret: str) -> ResponseReturnValue:
    """Choose a new password with a reset link (valid 24 hours, once)."""
    reset = sign_in.valid_reset(secret)
    user = db.session.get(User, reset.user_id) if reset is not None else None
    if user is None or not user.active:
        return _link_not_valid("Reset link", "Ask your trainer or an administrator for a new one.")
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = sign_in.use_reset(secret, form.password.data)
        except accounts.AccountError as error:
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            security_log.info("password reset with a link", extra={"user_id": user.id})
            start_session(user)
            flash("Your new password is set, and every other session has ended.", "success")
            return redirect(url_for("learn.home"), 303)
    return render_template(
        "auth/reset_password.html", form=form, email=user.email, expires_at=reset.expires_at
    ), 422 if form.errors else 200


@bp.route("/invitation/<secret>", methods=["GET", "POST"])
@writes("POST")
def cohort_invitation(secret: str) -> ResponseReturnValue:
    """A personal invitation link: the invitee logs in (or, new to Rapport, sets a password)
    and then accepts or declines on their invitations page."""
    invitation = invitations.by_link(secret)
    if invitation is None:
        return _link_not_valid("Invitation link", "Log in to see the invitations waiting for you.")
    if current_user.is_authenticated:
        if current_user.id == invitation.user_id:
            return redirect(url_for("learn.invitations"))
        return render_template(
            "error.html",
            status=403,
            title="An invitation for someone else",
            message="This invitation is for another account. Log out, then open the link again.",
        ), 403
    user = db.session.get(User, invitation.user_id)
    if user.password_hash is not None or not user.active:
        flash("Log in to answer your invitation.", "info")
        return redirect(url_for("auth.login", next=url_for("learn.invitations")))
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(user, form.password.data)
        except accounts.AccountError as error:
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            start_session(user)
            return redirect(url_for("learn.invitations"), 303)
    return render_template("auth/set_password.html", form=form), 422 if form.errors else 200
