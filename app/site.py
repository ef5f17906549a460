"""What every response shares: error pages, security headers, request logs and the health check.

A blueprint whose hooks apply to the whole app (`app_errorhandler`, `before_app_request`…).
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Mapping
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    session,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from markupsafe import Markup
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map

from app.extensions import db
from app.health import database_answers
from app.logging_setup import log_refusal
from app.responses import error_response
from app.services.reporting.common import score_text

bp = Blueprint("site", __name__)
log = logging.getLogger("rapport.requests")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Requests served without a log line when they succeed: static files and the health check (when
# Flask answers it: see app/health.py), the bulk of a quiet server's requests.
QUIET_ENDPOINTS = frozenset({"static", "site.healthz"})
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class DatabaseId(IntegerConverter):
    """`<int:…>` in every route: a positive id that fits the database's integer column, so a huge
    number in a URL is a plain 404 instead of an overflow inside the database driver."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


@bp.app_template_filter("points")
def points(value: float | None) -> str:
    """A score as people write it: 3, 2.5, 2.67 (partial credit makes fractions)."""
    return "–" if value is None else score_text(value)


@bp.app_template_global()
def nav_links(user: Any) -> Markup:
    """The main navigation's links for a signed-in user: the same for everyone with their role,
    so rendered once per role and mount point (9 url_for calls fewer on every page, issue 15).
    Rendered every time while templates reload on change (development)."""
    app = current_app._get_current_object()
    key = (request.script_root, user.role)
    kept: dict[tuple[str, str], Markup] = app.extensions.setdefault("rapport_nav_links", {})
    links = kept.get(key)
    if links is None:
        links = Markup(render_template("_nav_links.html", user=user))  # noqa: S704 - autoescaped
        if not app.jinja_env.auto_reload:
            kept[key] = links
    return links


# Signed CSRF tokens by (signing key, the session's raw token), shared by the process's requests.
_SIGNED_CSRF_TOKENS: dict[tuple[Any, str], str] = {}
_SIGNED_CSRF_TOKENS_KEPT = 10_000


@bp.app_context_processor
def signed_once_csrf_token() -> dict[str, Any]:
    # Registered after Flask-WTF's own processor (which offers generate_csrf), so this one wins.
    return {"csrf_token": csrf_token}


def _signed_csrf_key() -> tuple[str, tuple[Any, str] | None]:
    """Flask-WTF's field name, and the key of the session's signed token in _SIGNED_CSRF_TOKENS
    (None when the session has no raw token yet, or when tokens expire)."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    raw = session.get(field)
    if not isinstance(raw, str) or config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return field, None
    return field, (config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, raw)


def reuse_signed_csrf_token() -> None:
    """Hand Flask-WTF the session's token signed by an earlier request, so that this request's
    forms and page carry it instead of signing the raw token again (issue 15). Its signature
    carries a timestamp that only matters when tokens expire; here they last as long as the
    session (WTF_CSRF_TIME_LIMIT = None), so a token signed earlier is exactly as valid, and
    every page of a session shows the same one."""
    field, key = _signed_csrf_key()
    if key is not None:
        token = _SIGNED_CSRF_TOKENS.get(key)
        if token is not None:
            setattr(g, field, token)  # where generate_csrf looks first


def csrf_token() -> str:
    """The token for the page's forms (templates call it): the one reuse_signed_csrf_token or a
    form of this request set, else newly signed; kept for the session's later requests."""
    token = generate_csrf()
    _field, key = _signed_csrf_key()  # after generate_csrf, which may have made the raw token
    if key is not None and key not in _SIGNED_CSRF_TOKENS:
        if len(_SIGNED_CSRF_TOKENS) >= _SIGNED_CSRF_TOKENS_KEPT:
            _SIGNED_CSRF_TOKENS.clear()
        _SIGNED_CSRF_TOKENS[key] = token
    return token


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    status = error.code or 500
    message = None
    if status in (400, 422) and error.description and not error.description.startswith("The "):
        message = error.description
    response = error_response(status, message)
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    if status == 429 and getattr(error, "retry_after", None):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


@bp.app_errorhandler(CSRFError)
def csrf_error(error: CSRFError) -> Response:
    return error_response(
        400, "The form had expired or was sent from elsewhere. Go back, reload and try again."
    )


@bp.app_errorhandler(OperationalError)
@bp.app_errorhandler(DBAPIError)
def database_unavailable(error: Exception) -> Response:
    db.session.rollback()
    current_app.logger.error("database error: %s", type(error).__name__)
    return error_response(503)


@bp.app_errorhandler(Exception)
def unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return http_error(error)
    current_app.logger.exception("unhandled error")
    db.session.rollback()
    return error_response(500)


@bp.before_app_request
def start_request() -> Response | None:
    """Note the request id and start time; refuse a NUL character; reuse the session's signed
    CSRF token. One hook, not one per job: Flask's dispatch of each hook costs about as much as
    the job (bench/README.md, issue 15)."""
    g.request_id = request_id_from(request.headers.get("X-Request-Id", ""))
    g.started = time.perf_counter()
    if carries_nul_character():
        return error_response(400, "The request contains a NUL character (U+0000).")
    if request.endpoint != "static":  # a static file has no form (and must not vary by cookie)
        reuse_signed_csrf_token()
    return None


def carries_nul_character() -> bool:
    """No text field has a use for U+0000, and PostgreSQL refuses to store it: a clear 400
    here instead of a database error deeper down."""
    query = request.query_string  # NUL reaches the query only as %00 (or raw, refused too)
    if b"%00" in query or b"\x00" in query:
        return True
    if request.mimetype in FORM_TYPES:
        return any(
            "\x00" in key or "\x00" in value for key, value in request.form.items(multi=True)
        )
    return request.is_json and b"\\u0000" in request.get_data()


SECURITY_HEADERS = (
    (
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def security_headers_for(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The headers every response carries (HSTS only where cookies are HTTPS-only)."""
    return [*SECURITY_HEADERS, HSTS] if config.get("SESSION_COOKIE_SECURE") else [*SECURITY_HEADERS]


def request_id_from(given: str) -> str:
    """A proxy's request id is kept when it is plain (letters, digits, - _ .), else a new one."""
    return given if REQUEST_ID.fullmatch(given) else secrets.token_hex(8)


@bp.after_app_request
def finish_response(response: Response) -> Response:
    """Security headers, then the request's log line (one hook for both, see start_request)."""
    add_security_headers(response)
    log_request(response)
    return response


def add_security_headers(response: Response) -> None:
    headers = response.headers
    # A view may set its own policy (say a stricter CSP); the defaults fill in the rest.
    present = {name.lower() for name, _value in headers.items()}
    for name, value in security_headers_for(current_app.config):
        if name.lower() not in present:
            headers.add(name, value)
    signed_in = current_user.is_authenticated or g.get("api_user") is not None
    if signed_in and not request.path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"
    headers["X-Request-Id"] = g.get("request_id", "")


def log_request(response: Response) -> None:
    """One line per request (none for a successful static file or health check), and a security
    line for a refusal."""
    status = response.status_code
    if status >= 400 or request.endpoint not in QUIET_ENDPOINTS:
        user_id = current_user.get_id().split(":")[0] if current_user.is_authenticated else None
        log.info(
            "request",
            extra={
                "request_id": g.get("request_id"),
                "method": request.method,
                "path": request.path,
                "status": status,
                "user_id": user_id,
                "ms": round(
                    (time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1
                ),
            },
        )
    if status in (401, 403, 429):
        log_refusal(status)


@bp.teardown_app_request
def rollback_on_error(error: BaseException | None) -> None:
    if error is not None:
        db.session.rollback()


@bp.get("/healthz")
def healthz() -> Response | tuple[Response, int]:
    """200 when the database answers, 503 when it does not. GET and HEAD are answered in front
    of Flask (app/health.py); the route is here for the other methods' 405 and the URL map."""
    if database_answers(db.engine):
        return jsonify(status="ok")
    return jsonify(status="unavailable"), 503
