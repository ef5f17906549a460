"""Issue 12, items 2, 3 and 6: inputs that used to give a 500 or 503 now get a 4xx with the
usual error body, on both databases; sessions end when idle; the production cookie carries the
__Host- prefix; API tokens expire; the OpenAPI document says what the API does."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from flask import Flask

from app.extensions import db
from app.models import ApiToken, User, utcnow
from app.services import cohorts
from tests.conftest import PASSWORD, PROJECT_ROOT, Api, make_app, right_answers
from tests.security.conftest import sharing_the_test_transaction

SAMPLE = PROJECT_ROOT / "tests" / "content" / "sample"
PAGES = ["", "/progress", "/items", "/self-assessment", "/attention", "/export/learners.csv"]
PAGES.append("/export/answers.csv")
API = ["/report", "/learners.csv", "/answers.csv"]


@pytest.fixture
def trained(app: Flask, make):
    """A trainer (logged in on the web and with a token) and a cohort with one learner."""
    trainer, learner = make.user("trainer"), make.user()
    with app.app_context():
        cohort = cohorts.create_cohort(db.session.get(User, trainer.id), "Edges")
        cohorts.add_member(cohort, learner.id, "learner")
        db.session.commit()
        cohort_id = cohort.id
    web = app.test_client()
    web.post("/auth/login", data={"email": trainer.email, "password": PASSWORD})
    return web, Api(app.test_client(), make.token(trainer)), cohort_id, learner


def _is_error_body(response, status: int) -> None:
    assert response.status_code == status, response.text[:300]
    assert set(response.json) == {"error"}
    assert set(response.json["error"]) == {"code", "message"}


@pytest.mark.parametrize(
    "query",
    ["to=9999-12-31", "from=0001-01-01", "to=20240531", "to=2024-W22-5", "from=2024-02-30"],
)
def test_dates_out_of_range_or_badly_written_are_a_400_everywhere(trained, query):
    web, api, cid, learner = trained
    for page in [*PAGES, f"/learners/{learner.id}"]:
        response = web.get(f"/trainer/cohorts/{cid}{page}?{query}")
        assert response.status_code == 400, (page, response.status_code)
        assert "year-month-day" in response.text or "from 1970-01-01" in response.text
    for path in [*API, f"/learners/{learner.id}"]:
        response = api.get(f"/cohorts/{cid}{path}?{query}")
        _is_error_body(response, 400)
        assert response.json["error"]["code"] == "invalid_filter"


def test_the_widest_dates_allowed_work(trained):
    web, api, cid, _ = trained
    query = "from=1970-01-01&to=2999-12-31"
    for page in PAGES:
        assert web.get(f"/trainer/cohorts/{cid}{page}?{query}").status_code == 200, page
    for path in API:
        assert api.get(f"/cohorts/{cid}{path}?{query}").status_code == 200, path


def test_an_empty_date_is_open_on_a_page_but_refused_by_the_api(trained):
    """The pages' filter form sends empty fields; the API's document says `format: date`."""
    web, api, cid, _ = trained
    assert web.get(f"/trainer/cohorts/{cid}/progress?from=&to=").status_code == 200
    for path in API:
        _is_error_body(api.get(f"/cohorts/{cid}{path}?to="), 400)
        assert api.get(f"/cohorts/{cid}{path}").status_code == 200


def test_unicode_digits_in_numbers_are_not_a_500(trained, make, app):
    web, _, cid, _ = trained
    assert web.get(f"/trainer/cohorts/{cid}/attention?days=²").status_code == 400
    admin = app.test_client()
    admin.post("/auth/login", data={"email": make.user("admin").email, "password": PASSWORD})
    assert admin.get("/trainer/users?page=²").status_code == 200


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/cohorts/join"), ("delete", "/me"), ("post", "/quizzes/QUIZ/attempts")],
)
def test_deeply_nested_json_is_a_400(api, catalogue, method, path):
    quiz = next(iter(catalogue.quizzes))
    for body in (_deep(100_000), '{"code": ' + _deep(50_000) + "}"):
        response = getattr(api.client, method)(
            "/api/v1" + path.replace("QUIZ", quiz),
            data=body,
            headers={**api.headers, "Content-Type": "application/json"},
        )
        _is_error_body(response, 400)


def test_a_lone_surrogate_is_a_400_and_changes_nothing(api, app, learner):
    for method, path, body in (
        ("post", "/api/v1/cohorts/join", '{"code": "\\ud800"}'),
        ("delete", "/api/v1/me", '{"password": "\\ud800"}'),
        ("delete", "/api/v1/me", '{"password\\udfff": "x"}'),
    ):
        response = getattr(api.client, method)(
            path, data=body, headers={**api.headers, "Content-Type": "application/json"}
        )
        _is_error_body(response, 400)
    with app.app_context():
        assert db.session.get(User, learner.id) is not None


def test_an_idempotency_key_of_80_characters_is_stored(api, catalogue):
    """On PostgreSQL a key of 77-80 characters gave a 503 ("api:" + key in VARCHAR(80))."""
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    key = "k" * 80
    body = {"answers": right_answers(quiz)}
    first = api.post(f"/quizzes/{quiz.id}/attempts", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 201
    again = api.post(f"/quizzes/{quiz.id}/attempts", json=body, headers={"Idempotency-Key": key})
    assert again.status_code == 200
    assert again.json["id"] == first.json["id"]
    too_long = api.post(
        f"/quizzes/{quiz.id}/attempts", json=body, headers={"Idempotency-Key": key + "k"}
    )
    _is_error_body(too_long, 400)


# ------------------------------------------------------------------------------ sessions


def test_an_idle_session_ends(app, client, learner):
    client.post("/auth/login", data={"email": learner.email, "password": PASSWORD})
    assert client.get("/auth/account").status_code == 200
    hours = app.config["IDLE_TIMEOUT_HOURS"]
    assert hours == 8
    with client.session_transaction() as session:
        session["seen"] = int(time.time() - hours * 3600 + 120)  # idle, but not long enough
    assert client.get("/auth/account").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = int(time.time() - hours * 3600 - 5)
    response = client.get("/auth/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert "without activity" in client.get("/auth/login").text
    assert client.get("/auth/account").status_code == 302  # still logged out


def test_the_time_of_activity_is_noted_every_hundredth_of_the_timeout(app, client, learner):
    """Not on every page: each note signs and sends the session cookie again."""
    client.post("/auth/login", data={"email": learner.email, "password": PASSWORD})
    every = app.config["IDLE_TIMEOUT_HOURS"] * 3600 / 100  # 4 min 48 s
    for ago, noted in ((every - 10, False), (every + 10, True)):
        with client.session_transaction() as session:
            session["seen"] = before = int(time.time() - ago)
        response = client.get("/auth/account")
        assert response.status_code == 200
        assert bool(response.headers.getlist("Set-Cookie")) is noted
        with client.session_transaction() as session:
            assert (session["seen"] > before) is noted


def test_the_idle_timeout_is_configurable(monkeypatch):
    from config import ConfigError, DevelopmentConfig

    monkeypatch.setenv("RAPPORT_IDLE_TIMEOUT_HOURS", "0.5")
    monkeypatch.setenv("RAPPORT_API_TOKEN_DAYS", "30")
    settings = DevelopmentConfig.from_environment()
    assert (settings["IDLE_TIMEOUT_HOURS"], settings["API_TOKEN_DAYS"]) == (0.5, 30)
    monkeypatch.setenv("RAPPORT_IDLE_TIMEOUT_HOURS", "never")
    with pytest.raises(ConfigError):
        DevelopmentConfig.from_environment()


def test_the_production_cookie_has_the_host_prefix(monkeypatch, database_url, app, make):
    monkeypatch.setenv("SECRET_KEY", "p" * 64)
    production = make_app(
        database_url, RAPPORT_ENV="production", WTF_CSRF_ENABLED=False, CONTENT_DIR=SAMPLE
    )
    with sharing_the_test_transaction(production, app):
        user = make.user()
        response = production.test_client().post(
            "/auth/login",
            data={"email": user.email, "password": PASSWORD},
            base_url="https://rapport.example",
        )
        assert response.status_code == 302
        (cookie,) = response.headers.getlist("Set-Cookie")
        assert cookie.startswith("__Host-session=")
        parts = [part.strip().lower() for part in cookie.split(";")]
        assert "secure" in parts
        assert "path=/" in parts
        assert not [part for part in parts if part.startswith("domain=")]


# ------------------------------------------------------------------------------ API tokens


def test_tokens_expire_after_90_days_by_default(app, api, client, learner):
    listed = api.get("/me/tokens").json["tokens"][0]
    with app.app_context():
        token = db.session.get(ApiToken, listed["id"])
        assert token.expires_at - token.created_at == timedelta(days=90)
        assert listed["expires_at"] == token.expires_at.isoformat() + "Z"
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = api.get("/me/progress")
    _is_error_body(response, 401)
    client.post("/auth/login", data={"email": learner.email, "password": PASSWORD})
    made = client.post("/auth/account/tokens", data={"token-label": "laptop"})
    assert made.status_code == 201
    expires = (utcnow() + timedelta(days=90)).strftime("%Y-%m-%d")
    assert expires in made.text
    assert "works for 90 days" in made.text


def test_the_cli_token_uses_the_configured_lifetime(app, runner, learner):
    app.config["API_TOKEN_DAYS"] = 7
    try:
        result = runner.invoke(args=["users", "token", learner.email])
    finally:
        app.config["API_TOKEN_DAYS"] = 90
    assert result.exit_code == 0
    with app.app_context():
        token = db.session.query(ApiToken).filter_by(user_id=learner.id).one()
        assert token.expires_at - token.created_at == timedelta(days=7)


# ------------------------------------------------------------------------------ the document


def test_the_document_lists_429_where_a_limit_applies(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "429" in paths["/cohorts/join"]["post"]["responses"]
    assert "429" in paths["/me"]["delete"]["responses"]
    tokens = paths["/me/tokens"]["get"]["responses"]["200"]["content"]["application/json"]
    assert tokens["schema"]["properties"]["tokens"]["items"] == {
        "$ref": "#/components/schemas/Token"
    }
    for path in ("/me/invitations", "/me/invitations/{invitation_id}/accept"):
        assert path in paths
    json.dumps(paths)  # the document is plain JSON
