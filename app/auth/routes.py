from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from app.auth.blueprint import bp
from app.auth.forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    LoginForm,
    RegisterForm,
    SetPasswordForm,
    TokenForm,
)
from app.db import writes
from app.extensions import db, limiter, login_manager
from app.forms import ConfirmForm
from app.models import User, utcnow
from app.services import accounts, data_rights, sign_in

security_log = logging.getLogger("rapport.security")
SEEN_EVERY_FRACTION = 0.01  # of the idle timeout: how stale the noted time of activity may be


@login_manager.user_loader
def load_user(session_id: str) -> ResponseReturnValue:
    return accounts.load_session_user(session_id)


@bp.before_app_request
def end_idle_sessions() -> ResponseReturnValue:
    """Log out a browser session that has been idle longer than IDLE_TIMEOUT_HOURS; note the
    time of activity at most every SEEN_EVERY_FRACTION of it (a minute at least), so the cookie
    is not signed and sent again on every page: an 8-hour session ends after 7 h 55 min to 8 h
    without a request."""
    if "_user_id" not in session:
        return None
    now = int(time.time())
    last = session.get("seen")
    limit = current_app.config["IDLE_TIMEOUT_HOURS"] * 3600
    if isinstance(last, int) and now - last > limit:
        session.clear()
        logout_user()
        flash("You were logged out after a while without activity. Please log in again.", "info")
        if request.blueprint == "api" or request.path.startswith("/api/"):
            return None  # the API answers with its own 401 (it uses tokens, not this session)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not isinstance(last, int) or now - last >= max(60, limit * SEEN_EVERY_FRACTION):
        session["seen"] = now
    return None


login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to continue."
login_manager.login_message_category = "info"


def safe_next(target: str | None) -> str:
    """Only a path inside this app; anything else (another host, a scheme) goes home."""
    if not target:
        return url_for("learn.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("learn.home")
    if "\\" in target:
        return url_for("learn.home")
    return target


def start_session(user: User) -> None:
    session.clear()  # a new session at login: nothing from before survives (fixation)
    login_user(user)
    session["seen"] = int(time.time())
    # The new session's CSRF secret goes in the cookie set now: else the first page after
    # login, whose logout form needs one, would sign and send the session cookie once more.
    # The token this request signed (for the login form) came from the old session's secret.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    generate_csrf()


def _login_failed(_response: Response) -> bool:
    return bool(g.get("login_failed"))


@bp.route("/register", methods=["GET", "POST"])
@writes("POST")
@limiter.limit(
    lambda: current_app.config["REGISTRATIONS_PER_IP"], methods=["POST"], scope="register-ip"
)
def register() -> ResponseReturnValue:
    """A new account. The answer is the same whether or not the email already had one (no list
    of who has an account): the person is sent to log in either way; nothing is changed for an
    existing account, whose owner logs in with their own password."""
    if current_user.is_authenticated:
        return redirect(url_for("learn.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(form.email.data, form.name.data, form.password.data)
        except accounts.AccountError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            if user is not None:
                security_log.info("registered", extra={"user_id": user.id})
            else:
                security_log.info("registration for an existing email", extra={"user_id": None})
            flash(
                "Thank you. If this email address is new to Rapport, your account is ready: log "
                "in with the password you just chose. If you already had an account, nothing "
                "has changed: log in with your existing password.",
                "success",
            )
            return redirect(url_for("auth.login"), 303)
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURES_PER_IP"],
    methods=["POST"],
    deduct_when=_login_failed,
    scope="login-ip",
)
def login() -> ResponseReturnValue:
    """Log in. Failures past a few make the account wait a growing delay (at most a minute)
    before the next try, instead of locking it: nobody can lock anyone out for long."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        wait = sign_in.wait_seconds(form.email.data)
        if wait:
            form.password.errors.append(
                f"Too many failed attempts with this email address: wait {wait} "
                f"second{'s' if wait != 1 else ''} and try again."
            )
            page = render_template("auth/login.html", form=form)
            # One second more than the wait: Flask-Limiter rewrites the header, rounding down.
            return page, 429, {"Retry-After": str(wait + 1)}
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            sign_in.forget_failures(form.email.data)
            start_session(user)
            security_log.info("login", extra={"user_id": user.id})
            return redirect(safe_next(request.args.get("next")))
        g.login_failed = True
        sign_in.note_failure(form.email.data)
        known = accounts.user_by_email(form.email.data)  # logged, never shown to the visitor
        security_log.warning("login failed", extra={"user_id": known.id if known else None})
        form.password.errors.append("That email and password do not match an account.")
    return render_template("auth/login.html", form=form), 401 if g.get("login_failed") else 200


@bp.post("/logout")
@writes("POST")
def logout() -> ResponseReturnValue:
    form = ConfirmForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        # Session cookies are signed, not stored: the only way to make sure a copy of this
        # cookie stops working is to end every session of the user.
        accounts.end_all_sessions(current_user)
        db.session.commit()
        logout_user()
        session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@writes("POST")
@login_required
def account() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if accounts.authenticate(current_user.email, form.current.data) is None:
            form.current.errors.append("That is not your current password.")
        else:
            try:
                accounts.change_password(current_user, form.password.data)
            except accounts.AccountError as error:
                form.password.errors.append(error.message)
            else:
                db.session.commit()
                start_session(current_user._get_current_object())
                flash("Password changed. Every other session has been logged out.", "success")
                return redirect(url_for("auth.account"))
    return _account_page(form), 422 if form.errors else 200


def _account_page(
    form: ChangePasswordForm,
    new_token: str | None = None,
    delete_form: DeleteAccountForm | None = None,
) -> str:
    return render_template(
        "auth/account.html",
        form=form,
        tokens=accounts.api_tokens_of(current_user),
        token_form=TokenForm(prefix="token", formdata=None),
        confirm=ConfirmForm(),
        new_token=new_token,
        delete_form=delete_form or DeleteAccountForm(prefix="delete", formdata=None),
        deleted_answers=current_app.config["DELETED_ACCOUNT_ANSWERS"],
        token_days=current_app.config["API_TOKEN_DAYS"],
    )


@bp.get("/account/export")
@login_required
def export_data() -> ResponseReturnValue:
    """All the user's data as a JSON download."""
    response = jsonify(data_rights.export_user_data(current_user.id))
    stamp = utcnow().strftime("%Y-%m-%d")
    response.headers["Content-Disposition"] = f'attachment; filename="rapport-my-data-{stamp}.json"'
    return response


@bp.post("/account/delete")
@writes("POST")
@login_required
@limiter.limit(
    "10 per 15 minutes", deduct_when=lambda r: r.status_code == 422, scope="account-delete"
)
def delete_account() -> ResponseReturnValue:
    form = DeleteAccountForm(prefix="delete")
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if accounts.authenticate(user.email, form.password.data) is None:
            form.password.errors.append("That is not your password.")
        else:
            try:
                data_rights.delete_account(user, current_app.config["DELETED_ACCOUNT_ANSWERS"])
            except data_rights.DeletionRefused as error:
                form.password.errors.append(str(error))
            else:
                user_id = user.id
                db.session.commit()
                security_log.info("account deleted", extra={"user_id": user_id})
                logout_user()
                session.clear()
                flash("Your account and your data have been deleted.", "info")
                return redirect(url_for("learn.home"))
    return _account_page(ChangePasswordForm(formdata=None), delete_form=form), 422


@bp.post("/account/logout-everywhere")
@writes("POST")
@login_required
def logout_everywhere() -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        accounts.end_all_sessions(current_user)
        db.session.commit()
        logout_user()
        session.clear()
        flash("You have been logged out everywhere.", "info")
    return redirect(url_for("auth.login"))


@bp.post("/account/tokens")
@writes("POST")
@login_required
def create_token() -> ResponseReturnValue:
    form = TokenForm(prefix="token")
    if not form.validate_on_submit():
        return redirect(url_for("auth.account"))
    token = accounts.issue_api_token(
        current_user, form.label.data or "", current_app.config["API_TOKEN_DAYS"]
    )
    db.session.commit()
    # Shown once, in this response only: it is never stored in plain text, not even in the session.
    return _account_page(ChangePasswordForm(formdata=None), new_token=token), 201


@bp.post("/account/tokens/<int:token_id>/revoke")
@writes("POST")
@login_required
def revoke_token(token_id: int) -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        if not accounts.revoke_api_token(current_user, token_id):
            return render_template(
                "error.html", status=404, title="Not found", message="There is no such token."
            ), 404
        db.session.commit()
        flash("Token revoked.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/invite/<secret>", methods=["GET", "POST"])
@writes("POST")
def accept_invite(secret: str) -> ResponseReturnValue:
    if not accounts.invite_is_valid(secret):
        return render_template(
            "error.html",
            status=404,
            title="Invitation not valid",
            message="This invitation link has been used or has expired. Ask your trainer for a new one.",
        ), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.accept_invite(secret, form.password.data)
        except accounts.AccountError as error:
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            start_session(user)
            flash("Your password is set. Welcome to Rapport.", "success")
            return redirect(url_for("learn.home"))
    return render_template("auth/set_password.html", form=form), 422 if form.errors else 200
