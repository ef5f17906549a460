"""Responses that more than one blueprint builds: errors (JSON for the API, a page for people)
and CSV downloads. Not a blueprint and not a service: these build Flask responses, which
services never do, and blueprints never import each other."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, render_template, request, stream_with_context

from app.services import codebook, exports
from app.services.reporting import ReportFilter

ERROR_TEXTS = {
    400: ("Bad request", "The request could not be understood."),
    401: ("Please log in", "You need to log in to see this page."),
    403: ("Not allowed", "You are not allowed to do that."),
    404: ("Not found", "There is nothing at this address."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    409: ("Conflict", "That request conflicts with one made before."),
    413: ("Too large", "What you sent is larger than Rapport accepts."),
    415: ("Unsupported type", "Send JSON with Content-Type: application/json."),
    422: ("Cannot process", "The request was understood but cannot be carried out."),
    429: ("Too many attempts", "Too many attempts in a short time. Wait a few minutes and try again."),
    500: ("Something went wrong", "An unexpected error happened. It has been logged; please try again."),
    503: ("Temporarily unavailable", "Rapport cannot reach its database right now. Please try again in a minute."),
}  # fmt: skip
ERROR_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited", 500: "internal_error", 503: "unavailable",
}  # fmt: skip


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(status: int, message: str | None = None, code: str | None = None) -> Response:
    """A JSON error for the API, an HTML page for people; the same status either way."""
    title, default_message = ERROR_TEXTS.get(status, ("Error", "Something went wrong."))
    message = message or default_message
    if wants_json():
        body = {"error": {"code": code or ERROR_CODES.get(status, "error"), "message": message}}
        response = jsonify(body)
        response.status_code = status
        return response
    return Response(
        render_template("error.html", status=status, title=title, message=message), status=status
    )


def csv_download(f: ReportFilter, kind: str) -> Response:
    """A cohort's `learners` or `answers` CSV, or the `codebook` of both, as a download, for
    the browser and the API alike. Learners fit in memory; answers (one row per answer) are
    streamed as they are read."""
    if kind == "learners":
        body: Any = "".join(exports.learners_csv(f))
    elif kind == "codebook":
        body = "".join(codebook.codebook_csv())
    else:
        body = stream_with_context(exports.answers_csv(f))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="cohort-{f.cohort_id}-{kind}.csv"'},
    )
