from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.admin.blueprint import bp
from app.admin.forms import RoleForm
from app.db import writes
from app.extensions import db
from app.forms import ConfirmForm
from app.models import User
from app.services import accounts, sign_in

PER_PAGE = 50


@bp.before_request
def admins_only() -> Response | None:
    """Log in first; then every page is for administrators, and answers 404 to others."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not current_user.is_admin:
        abort(404)
    return None


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:  # a deleted account's placeholder
        abort(404)
    return user


def _back_to_list() -> Response:
    return redirect(url_for("admin.users", q=request.args.get("q", "")[:120] or None), 303)


@bp.get("")
def users() -> str:
    query = request.args.get("q", "")[:120]
    page = request.args.get("page", "1")
    page = int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 100_000 else 1
    found, total = accounts.users_page(query, page, PER_PAGE)
    return render_template(
        "admin/users.html",
        users=found,
        total=total,
        page=page,
        per_page=PER_PAGE,
        query=query,
        role_form=RoleForm(formdata=None),
        confirm=ConfirmForm(),
    )


@bp.post("/<int:user_id>/role")
@writes("POST")
def change_role(user_id: int) -> Response:
    user = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400, "Choose one of the roles: learner, trainer or admin.")
    try:
        accounts.admin_set_role(user, form.role.data)
    except accounts.AccountError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"{user.email} is now {user.role}.", "success")
    return _back_to_list()


@bp.post("/<int:user_id>/<any(activate, deactivate):action>")
@writes("POST")
def set_active(user_id: int, action: str) -> Response:
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        accounts.admin_set_active(user, action == "activate")
    except accounts.AccountError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        state = (
            "active again"
            if user.active
            else "deactivated (their sessions and tokens stop working)"
        )
        flash(f"{user.email} is {state}.", "success")
    return _back_to_list()


@bp.post("/<int:user_id>/reset-link")
@writes("POST")
def reset_link(user_id: int) -> str:
    """A one-time password-reset link for anyone, to hand over (Rapport sends no email)."""
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    secret = sign_in.issue_reset(user, current_user)
    db.session.commit()
    return render_template(
        "reset_link_issued.html",
        person=user,
        link=url_for("auth.reset_password", secret=secret, _external=True),
        hours=sign_in.RESET_HOURS,
        back=url_for("admin.users"),
    )
