"""CSRF: every HTML form needs its token; the API needs a Bearer token and nothing else."""

from __future__ import annotations

import time

import pytest
from flask import Flask, url_for
from sqlalchemy import func, select
from werkzeug.routing import AnyConverter, BaseConverter, IntegerConverter

from app.extensions import db
from app.models import Attempt, User
from tests.conftest import PASSWORD, csrf_token_from, right_answers
from tests.security.conftest import log_in_directly

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def placeholder(converter: BaseConverter) -> object:
    """A value the converter accepts, for building a URL to a route."""
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "x"


def html_write_urls(app: Flask) -> list[tuple[str, str]]:
    """Every non-API route that changes something, with placeholder values for its arguments."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("api.") or not (rule.methods or set()) & UNSAFE:
                continue
            values = {name: placeholder(rule._converters[name]) for name in rule.arguments}
            for method in sorted((rule.methods or set()) & UNSAFE):
                found.append((method, url_for(rule.endpoint, **values)))
    return found


def test_there_are_forms_to_protect(csrf_app):
    urls = {url for _, url in html_write_urls(csrf_app)}
    assert {"/auth/login", "/auth/register", "/auth/logout", "/auth/account"} <= urls


def test_every_form_refuses_a_post_without_its_token(csrf_app, make):
    user = make.user()
    for signed_in in (False, True):
        client = csrf_app.test_client()
        if signed_in:
            log_in_directly(client, user)
        for method, url in html_write_urls(csrf_app):
            response = client.open(url, method=method, data={"email": user.email})
            assert response.status_code == 400, (method, url, signed_in)
            assert "The form had expired or was sent from elsewhere" in response.text


def test_a_token_from_another_session_is_refused(csrf_app, make):
    user = make.user()
    other = csrf_app.test_client()
    stolen = csrf_token_from(other.get("/auth/login").text)
    victim = csrf_app.test_client()
    log_in_directly(victim, user)
    response = victim.post("/auth/account/logout-everywhere", data={"csrf_token": stolen})
    assert response.status_code == 400
    with csrf_app.app_context():
        assert db.session.get(User, user.id).session_version == user.session_version


def test_forms_work_with_their_token(csrf_app, make):
    user = make.user()
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/auth/login").text)
    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    page = client.get("/auth/account")
    assert page.status_code == 200
    response = client.post(
        "/auth/logout", data={"csrf_token": csrf_token_from(page.text)}, follow_redirects=False
    )
    assert response.status_code == 302
    assert client.get("/auth/account").status_code == 302  # logged out


def test_each_session_keeps_its_own_token_from_page_to_page(csrf_app, make, monkeypatch):
    """The page's token is signed once per session and reused (issue 15): the same on every page
    of a session, whether a form of the view or the page's frame asked for it first, and seconds
    apart (a signature carries its time); never another session's, and accepted by the forms."""
    client = csrf_app.test_client()
    tokens = []
    clock = [time.time() + 2]  # ahead of any cookie signed so far: none is from the future

    def page_a_second_later(url: str):
        clock[0] += 1
        monkeypatch.setattr(time, "time", lambda now=clock[0]: now)
        return client.get(url)

    for user in (make.user(), make.user()):
        log_in_directly(client, user)
        pages = [page_a_second_later(url) for url in ("/auth/account", "/", "/auth/account", "/")]
        assert len({csrf_token_from(page.text) for page in pages}) == 1
        tokens.append(csrf_token_from(pages[-1].text))
        if len(tokens) == 2:  # the first session's token is refused in the second
            response = client.post(
                "/auth/account/logout-everywhere", data={"csrf_token": tokens[0]}
            )
            assert response.status_code == 400
        assert client.post("/auth/logout", data={"csrf_token": tokens[-1]}).status_code == 302
    assert tokens[0] != tokens[1]


def test_the_quiz_form_needs_its_token(csrf_app, make, catalogue):
    user = make.user()
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    client = csrf_app.test_client()
    log_in_directly(client, user)
    data = {f"q__{q}": a[0] for q, a in right_answers(quiz).items()}
    assert client.post(f"/quizzes/{quiz.id}", data=data).status_code == 400
    with csrf_app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Attempt))
    assert stored == 0


def api_urls(app: Flask) -> list[tuple[str, str]]:
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("api.") or rule.endpoint == "api.openapi":
                continue
            values = {name: placeholder(rule._converters[name]) for name in rule.arguments}
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((method, url_for(rule.endpoint, **values)))
    return found


def test_a_browser_session_never_authenticates_the_api(csrf_app, make):
    client = csrf_app.test_client()
    log_in_directly(client, make.user())
    assert client.get("/auth/account").status_code == 200  # the session itself is valid
    urls = api_urls(csrf_app)
    assert len(urls) >= 7
    for method, url in urls:
        response = client.open(url, method=method, json={})
        assert response.status_code == 401, (method, url)
        assert response.json["error"]["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token rpt_x", "Bearer rpt_" + "a" * 300],
)
def test_malformed_authorization_headers_are_401(csrf_app, header):
    response = csrf_app.test_client().get("/api/v1/modules", headers={"Authorization": header})
    assert response.status_code == 401


def test_the_api_is_csrf_exempt(csrf_app, make, catalogue):
    user = make.user()
    token = make.token(user)
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    response = csrf_app.test_client().post(
        f"/api/v1/quizzes/{quiz.id}/attempts",
        json={"answers": right_answers(quiz)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201
