from __future__ import annotations

import logging
import re
from typing import Any

from flask import abort, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue

from app.api.blueprint import bp
from app.api.openapi import openapi_document, query_parameters
from app.bearer import bearer_user
from app.db import writes
from app.extensions import db, limiter
from app.models import User
from app.responses import error_response
from app.serializers.accounts import token_json
from app.serializers.learning import (
    attempt_json,
    history_json,
    lesson_json,
    module_json,
    quiz_json,
)
from app.services import accounts, attempts, data_rights, presentation, progress, results
from app.services.catalogue import get_catalogue
from app.services.concept_results import attempt_concepts

PUBLIC_ENDPOINTS = {"api.openapi"}


@bp.before_request
def authenticate_bearer() -> ResponseReturnValue:
    """Every API call but the OpenAPI document needs `Authorization: Bearer <token>`."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    user = bearer_user()
    if user is None:
        response = error_response(
            401, "A valid API token is required: Authorization: Bearer <token>."
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="rapport"'
        return response
    g.api_user = user
    if request.args:
        return refuse_unknown_query_parameters()
    return None


def refuse_unknown_query_parameters() -> ResponseReturnValue:
    """A 400 naming the query parameters the operation does not take (its OpenAPI entry lists
    the ones it does): a misspelt `form=` is not silently ignored as if no date were given."""
    rule = request.url_rule.rule if request.url_rule else ""
    path = _OPENAPI_PATH.sub(r"{\1}", rule.removeprefix(bp.url_prefix or ""))
    method = "GET" if request.method == "HEAD" else request.method
    taken = query_parameters().get((path, method))
    if taken is None:  # not an operation of the document (a 404 or a 405 follows)
        return None
    unknown = sorted(set(request.args) - taken)
    if not unknown:
        return None
    names = ", ".join(f"`{name[:40]}`" for name in unknown[:5])
    offered = ", ".join(f"`{name}`" for name in sorted(taken)) or "none"
    return error_response(
        400,
        f"Unknown query parameter(s): {names}. This address takes: {offered}.",
        "unknown_parameters",
    )


# A Flask rule's variable, `<int:cohort_id>`, as OpenAPI writes it: `{cohort_id}`.
_OPENAPI_PATH = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")


def api_user() -> User:
    return g.api_user


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 saying why it is not one."""
    if not request.is_json:
        abort(
            error_response(
                415 if request.data else 400,
                "Send a JSON object with Content-Type: application/json.",
            )
        )
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(error_response(400, "The request body must be a JSON object."))
    return body


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(openapi_document())


@bp.get("/modules")
def modules() -> ResponseReturnValue:
    return jsonify(modules=[module_json(m) for m in progress.course_progress(api_user().id)])


@bp.get("/modules/<module_id>/lessons/<lesson_id>")
def lesson(module_id: str, lesson_id: str) -> ResponseReturnValue:
    module = get_catalogue().module(module_id)
    current = module.lesson(lesson_id) if module else None
    if current is None:
        return error_response(404, "No such module or lesson.")
    _progress, recorded = progress.open_lesson(api_user().id, module, lesson_id)
    if recorded:
        db.session.commit()
    return jsonify(lesson_json(module, current))


@bp.get("/quizzes/<quiz_id>")
def quiz(quiz_id: str) -> ResponseReturnValue:
    found = get_catalogue().quiz(quiz_id)
    if found is None:
        return error_response(404, "No such quiz.")
    user_id = api_user().id
    number = presentation.attempts_made(user_id, found.id) + 1
    shown = found.presented(presentation.option_order(user_id, found, number))
    return jsonify(quiz_json(shown, get_catalogue().module_of_quiz.get(found.id), number))


@bp.post("/quizzes/<quiz_id>/attempts")
@writes("POST", late=True)  # attempts.submit_attempt takes the lock once the answers are graded
def submit(quiz_id: str) -> ResponseReturnValue:
    found = get_catalogue().quiz(quiz_id)
    if found is None:
        return error_response(404, "No such quiz.")
    body = json_body()
    unknown = sorted(set(body) - {"answers", "retake_of"})
    if unknown:
        return error_response(
            422,
            "Only `answers` and `retake_of` may be sent; not: "
            + ", ".join(k[:40] for k in unknown)
            + ".",
            "unknown_fields",
        )
    if "answers" not in body:
        return error_response(422, "The body needs `answers`.", "missing_answers")
    retake_of = body.get("retake_of")
    if retake_of is not None and (type(retake_of) is not int or not 0 < retake_of < 2**31):
        return error_response(422, "`retake_of` must be an attempt id.", "invalid_retake")
    key = request.headers.get("Idempotency-Key", "").strip() or None
    if key is not None and (len(key) > 80 or not key.isprintable()):
        return error_response(400, "Idempotency-Key must be at most 80 printable characters.")
    try:
        submission = attempts.submit_attempt(
            api_user().id,
            found,
            body["answers"],
            idempotency_key=key and "api:" + key,
            retake_of=retake_of,
        )
    except attempts.AnswersRejected as error:
        response = jsonify(
            error={"code": error.code, "message": error.message, "questions": error.problems}
        )
        response.status_code = 422
        return response
    except attempts.IdempotencyConflict as error:
        return error_response(409, str(error), "idempotency_conflict")
    db.session.commit()
    result = submission.result()
    response = jsonify(attempt_json(result, attempt_concepts(result)))
    response.status_code = 200 if submission.replayed else 201
    if submission.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.get("/attempts/<int:attempt_id>")
def attempt(attempt_id: int) -> ResponseReturnValue:
    found = results.attempt_of(api_user().id, attempt_id)
    if found is None:
        return error_response(404, "No such attempt.")
    result = results.attempt_result(found)
    return jsonify(attempt_json(result, attempt_concepts(result)))


@bp.get("/me/progress")
def my_progress() -> ResponseReturnValue:
    user = api_user()
    return jsonify(
        modules=[module_json(m) for m in progress.course_progress(user.id)],
        attempts=history_json(results.history_by_quiz(user.id)),
    )


@bp.get("/me/tokens")
def my_tokens() -> ResponseReturnValue:
    return jsonify(tokens=[token_json(token) for token in accounts.api_tokens_of(api_user())])


@bp.delete("/me/tokens/<int:token_id>")
@writes("DELETE")
def revoke_token(token_id: int) -> ResponseReturnValue:
    if not accounts.revoke_api_token(api_user(), token_id):
        return error_response(404, "No such token.")
    db.session.commit()
    return "", 204


@bp.get("/me/export")
def my_data() -> ResponseReturnValue:
    """Everything Rapport stores about the caller."""
    return jsonify(data_rights.export_user_data(api_user().id))


@bp.delete("/me")
@writes("DELETE")
@limiter.limit(
    "10 per 15 minutes", deduct_when=lambda r: r.status_code == 403, scope="account-delete"
)
def delete_me() -> ResponseReturnValue:
    """Delete the caller's account; the body must carry the account password."""
    body = json_body()
    unknown = sorted(set(body) - {"password"})
    if unknown:
        return error_response(
            422,
            "Only `password` may be sent; not: " + ", ".join(k[:40] for k in unknown) + ".",
            "unknown_fields",
        )
    user = api_user()
    password = body.get("password")
    if not isinstance(password, str) or accounts.authenticate(user.email, password) is None:
        return error_response(
            403, "Send the account's password as `password` to delete it.", "wrong_password"
        )
    try:
        data_rights.delete_account(user, current_app.config["DELETED_ACCOUNT_ANSWERS"])
    except data_rights.DeletionRefused as error:
        return error_response(409, str(error), "deletion_refused")
    user_id = user.id
    db.session.commit()
    logging.getLogger("rapport.security").info("account deleted", extra={"user_id": user_id})
    return "", 204
