from __future__ import annotations

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.bearer import bearer_sent, bearer_user
from app.certificates.blueprint import bp
from app.certificates.forms import RevokeForm
from app.db import writes
from app.extensions import db, limiter
from app.models import User
from app.serializers.certificates import verification_json, verify_url
from app.services import certificates
from app.services.certificate_pdf import PAPERS, render_certificate

# Codes are 120 random bits, so guessing is hopeless; the limit keeps scripts from trying anyway.
VERIFY_LIMIT = "60 per minute"


def _verification(verification: str) -> tuple[dict, int]:
    certificate = certificates.by_code(verification)
    shown = verification_json(certificate, certificates.normalise_code(verification))
    return shown, 200 if certificate is not None else 404


@bp.get("/verify/<verification>")
@limiter.limit(VERIFY_LIMIT, scope="verify")
def verify(verification: str) -> tuple[str, int]:
    """Anyone with the code can see whether the certificate is valid: no login."""
    shown, status = _verification(verification)
    return render_template("certificates/verify.html", result=shown), status


@bp.get("/verify/<verification>.json")
@limiter.limit(VERIFY_LIMIT, scope="verify")
def verify_json(verification: str) -> tuple[Response, int]:
    shown, status = _verification(verification)
    return jsonify(shown), status


def _owner() -> User | None:
    """The caller: their API token's owner (Authorization: Bearer) or the logged-in user."""
    if bearer_sent():
        user = bearer_user()
        if user is None:
            abort(401)
        return user
    return current_user if current_user.is_authenticated else None


@bp.get("/certificates/<int:certificate_id>.pdf")
def pdf(certificate_id: int) -> ResponseReturnValue:
    """The certificate as a PDF, for its owner; ?paper=a4 (default) or letter."""
    user = _owner()
    if user is None:
        return redirect(url_for("auth.login", next=request.full_path))
    paper = request.args.get("paper", "a4").lower()
    if paper not in PAPERS:
        abort(400, description="paper must be a4 or letter")
    certificate = certificates.owned(user.id, certificate_id)
    if certificate is None:
        abort(404)
    body = render_certificate(certificate, verify_url(certificate), paper)
    name = f"certificate-{certificate.code[:8].lower()}-{paper}.pdf"
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _admins_only() -> None:
    if not current_user.is_admin:
        abort(404)


@bp.get("/admin/certificates")
@login_required
def admin() -> str:
    _admins_only()
    return render_template(
        "certificates/admin.html", certificates=certificates.every_certificate(), form=RevokeForm()
    )


@bp.post("/admin/certificates/<verification>/revoke")
@writes("POST")
@login_required
def revoke(verification: str) -> ResponseReturnValue:
    _admins_only()
    form = RevokeForm()
    if not form.validate_on_submit():
        flash("Give a reason (up to 500 characters) to revoke a certificate.", "error")
        return redirect(url_for("certificates.admin"), 303)
    try:
        certificate = certificates.revoke(verification, form.reason.data)
    except certificates.RevocationRefused as error:
        flash(str(error), "error")
        return redirect(url_for("certificates.admin"), 303)
    db.session.commit()
    flash(f"Certificate {certificate.code} is revoked.", "success")
    return redirect(url_for("certificates.admin"), 303)
