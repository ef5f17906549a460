"""Structured logs: one JSON object per line on stderr, with UTC time and the request id.

The app logs under `rapport.*` (`rapport.requests` for every request, `rapport.security` for
logins, failed logins and refused authorizations) and through `app.logger` for errors. Extra
fields passed with `extra={...}` become JSON keys. Keys that could carry a secret or an answer
(password, token, answers, …) are never written, whatever a caller passes.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from flask_login import current_user, user_unauthorized

SECURITY = logging.getLogger("rapport.security")

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
# Never logged, even if a caller passes them: secrets and what a learner answered.
FORBIDDEN_KEYS = frozenset(
    {
        "password",
        "new_password",
        "current_password",
        "token",
        "api_token",
        "authorization",
        "cookie",
        "session",
        "secret",
        "csrf_token",
        "answers",
        "selected",
        "body",
        "form",
        "json",
    }
)
_HANDLER_MARK = "_rapport_json_handler"


def utc_timestamp(created: float) -> str:
    """A record's time as ISO 8601 in UTC with milliseconds, e.g. 2026-01-31T09:15:02.123Z."""
    moment = datetime.fromtimestamp(created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON: time, level, logger, message and the extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": utc_timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key in _STANDARD or key.startswith("_") or key.lower() in FORBIDDEN_KEYS:
                continue
            entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class RequestContextFilter(logging.Filter):
    """Adds the request id and client address to records logged while a request is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            if not hasattr(record, "request_id"):
                record.request_id = g.get("request_id")
            if not hasattr(record, "ip"):
                record.ip = request.remote_addr
        return True


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners and servers swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure_logging(app: Flask) -> None:
    """JSON logs for the app's loggers, and a security log line for every refused request."""
    level = str(app.config.get("LOG_LEVEL") or "INFO").upper()
    logging.getLogger("rapport").setLevel(level)
    app.logger.setLevel(level)
    context = RequestContextFilter()
    for name in ("rapport.requests", "rapport.security", app.logger.name):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RequestContextFilter) for f in logger.filters):
            logger.addFilter(context)
    if not app.config.get("TESTING"):
        # Outside tests our JSON handler replaces Flask's plain-text one (tests read caplog).
        app.logger.removeHandler(default_handler)
        for logger in (logging.getLogger("rapport"), app.logger):
            if not any(getattr(h, _HANDLER_MARK, False) for h in logger.handlers):
                handler = _StderrHandler()
                handler.setFormatter(JsonFormatter())
                handler.addFilter(context)
                setattr(handler, _HANDLER_MARK, True)
                logger.addHandler(handler)

    user_unauthorized.connect(_login_required_refused, app)


def log_refusal(status: int) -> None:
    """A security log line for a refused request (401, 403 or 429; a wrong password at login is
    logged by the login view itself)."""
    if status == 401 and request.endpoint == "auth.login":
        return
    SECURITY.warning(
        "rate limited" if status == 429 else "authorization refused",
        extra={
            "user_id": _user_id(),
            "method": request.method,
            "path": request.path,
            "status": status,
        },
    )


def _user_id() -> int | None:
    if current_user and current_user.is_authenticated:
        return int(current_user.get_id().split(":")[0])
    api_user = g.get("api_user")
    return api_user.id if api_user is not None else None


def _login_required_refused(_app: Flask, **_extra: Any) -> None:
    SECURITY.warning(
        "authorization refused",
        extra={"user_id": None, "method": request.method, "path": request.path, "status": 302},
    )
