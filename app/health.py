"""The health check, answered in front of Flask.

Load balancers and orchestrators probe `GET /healthz` every few seconds on every host, so it does
the least that still proves the app can serve: one `SELECT 1` on a pooled connection. It runs as
WSGI middleware around the Flask app because none of Flask's per-request work applies to a probe
(session, signed-in user, CSRF, rate limits, the request log line on success): through Flask the
check cost eight times the bare framework's request, in front of it about the same
(bench/README.md, issue 15). The response carries the same security headers and request id as
every other. Other methods on `/healthz` reach Flask, which answers 405.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.db import WRITES

PATH = "/healthz"
log = logging.getLogger("rapport.requests")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def database_answers(engine: Engine) -> bool:
    """Whether the database answers `SELECT 1` now. Never takes SQLite's write lock; a dead
    connection is dropped from the pool (SQLAlchemy invalidates it), so the next check reconnects."""
    try:
        with engine.connect() as connection:
            # Declared reading: on PostgreSQL it then runs outside a transaction block, one round
            # trip instead of three (BEGIN, the probe, ROLLBACK; see app/db.py).
            connection.execution_options(**{WRITES: False}).exec_driver_sql("SELECT 1")
    except SQLAlchemyError:
        return False
    return True


class HealthCheck:
    """WSGI middleware: answers GET and HEAD `/healthz`, hands every other request on."""

    def __init__(
        self,
        wrapped: WSGIApp,
        engine: Callable[[], Engine],
        headers: Callable[[], list[tuple[str, str]]],
        request_id: Callable[[str], str],
    ) -> None:
        self.wrapped = wrapped
        self.engine = engine
        self.headers = headers
        self.request_id = request_id

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if environ.get("PATH_INFO") != PATH or method not in ("GET", "HEAD"):
            return self.wrapped(environ, start_response)
        started = time.perf_counter()
        request_id = self.request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        ok = database_answers(self.engine())
        body = b'{"status":"ok"}\n' if ok else b'{"status":"unavailable"}\n'
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            *self.headers(),
            ("X-Request-Id", request_id),
        ]
        start_response("200 OK" if ok else "503 SERVICE UNAVAILABLE", headers)
        if not ok:
            # Successes are not logged (every few seconds, from every balancer); failures are.
            log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": method,
                    "path": PATH,
                    "status": 503,
                    "user_id": None,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        return [] if method == "HEAD" else [body]
