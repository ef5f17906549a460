"""Sessions: rotated at login, ended at logout, ended everywhere by a new session version."""

from __future__ import annotations

import time
from http.cookies import SimpleCookie

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services import accounts
from tests.conftest import PASSWORD, PROJECT_ROOT, csrf_token_from, make_app
from tests.security.conftest import sharing_the_test_transaction

SAMPLE = (
    PROJECT_ROOT / "tests" / "content" / "sample"
)  # a tiny course: content does not matter here


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def copy_of(app, client):
    """Another browser holding the same session cookie (an attacker who copied it, say)."""
    other = app.test_client()
    value = session_cookie(client)
    if value:
        other.set_cookie("session", value)
    return other


def logged_in(client) -> bool:
    return client.get("/auth/account").status_code == 200


def test_login_starts_a_new_session(client, learner):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        session["_user_id"] = "999999:1"
    before = session_cookie(client)
    client.post("/auth/login", data={"email": learner.email, "password": PASSWORD})
    assert session_cookie(client) != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{learner.id}:{learner.session_version}"


def test_logout_ends_the_session(client, auth, learner):
    auth.login(learner.email)
    assert logged_in(client)
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert not logged_in(client)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_logout_needs_a_post(client, auth, learner):
    auth.login(learner.email)
    assert client.get("/auth/logout").status_code == 405
    assert logged_in(client)


def test_a_copied_cookie_stops_working_after_logout(app, client, auth, learner):
    auth.login(learner.email)
    thief = copy_of(app, client)
    assert logged_in(thief)
    auth.logout()
    assert not logged_in(thief)


def test_changing_the_password_ends_every_other_session(app, client, auth, learner):
    auth.login(learner.email)
    elsewhere = app.test_client()
    elsewhere.post("/auth/login", data={"email": learner.email, "password": PASSWORD})
    thief = copy_of(app, client)
    assert logged_in(elsewhere)
    assert logged_in(thief)
    response = client.post(
        "/auth/account",
        data={
            "current": PASSWORD,
            "password": "a brand new phrase",
            "confirm": "a brand new phrase",
        },
    )
    assert response.status_code == 302
    assert logged_in(client)  # the session that changed it continues, with a new version
    assert not logged_in(elsewhere)
    assert not logged_in(thief)


def test_log_out_everywhere_ends_every_session(app, client, auth, learner):
    auth.login(learner.email)
    elsewhere = app.test_client()
    elsewhere.post("/auth/login", data={"email": learner.email, "password": PASSWORD})
    thief = copy_of(app, client)
    assert client.post("/auth/account/logout-everywhere").status_code == 302
    for browser in (client, elsewhere, thief):
        assert not logged_in(browser)


def test_deactivation_ends_every_session_and_every_token(app, client, auth, make, learner):
    auth.login(learner.email)
    token = make.token(learner)
    with app.app_context():
        accounts.set_active(db.session.get(User, learner.id), False)
        db.session.commit()
    assert not logged_in(client)
    response = client.get("/api/v1/modules", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_a_tampered_session_cookie_is_ignored(app, client, auth, learner):
    auth.login(learner.email)
    value = session_cookie(client)
    forged = app.test_client()
    forged.set_cookie("session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert not logged_in(forged)


def test_a_session_cookie_outlives_its_lifetime_nowhere(app, client, auth, learner, monkeypatch):
    """A cookie checked once is not checked again in full on every page (issue 15), yet its age
    still is: past the session lifetime it logs nobody in."""
    monkeypatch.setitem(app.config, "IDLE_TIMEOUT_HOURS", 10**6)  # only the cookie's age counts
    auth.login(learner.email)
    assert logged_in(client)
    assert logged_in(client)
    lifetime = app.permanent_session_lifetime.total_seconds()
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + lifetime + 60)
    assert not logged_in(client)
    monkeypatch.setattr(time, "time", lambda: now - 120)  # a clock set back: not yet signed
    assert not logged_in(client)


def test_a_cookie_reads_the_same_whatever_another_request_did_with_it(
    app, client, auth, make, learner
):
    """Two browsers with one cookie: a message one of them is given (stored in its session)
    never shows in the other's, though both cookies were read from the same kept copy."""
    token = make.token(learner)
    with app.app_context():
        token_id = accounts.api_token_owner(token)[0].id
    auth.login(learner.email)
    other = copy_of(app, client)
    assert logged_in(other)
    client.post(f"/auth/account/tokens/{token_id}/revoke")
    assert "Token revoked." in client.get("/auth/account").text
    page = other.get("/auth/account")
    assert page.status_code == 200
    assert "Token revoked." not in page.text


def test_the_session_user_is_the_database_sessions_own_object(app, learner):
    """The cookie's user is loaded column by column, yet behaves as an ORM-loaded User: it is the
    object later queries return, and a change to it is written."""
    with app.app_context():
        user = accounts.load_session_user(learner.get_id())
        assert db.session.get(User, learner.id) is user
        assert accounts.load_session_user(learner.get_id()) is user
        assert (user.email, user.name, user.created_at) == (
            learner.email,
            learner.name,
            learner.created_at,
        )
        user.name = "Renamed"
        assert db.session.scalar(select(User.name).where(User.id == learner.id)) == "Renamed"
        assert accounts.load_session_user(f"{learner.id}:{learner.session_version + 1}") is None
    with app.app_context():
        assert accounts.load_session_user(learner.get_id()) is not user


def set_cookie_headers(response) -> list[SimpleCookie]:
    cookies = []
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        cookies.append((header, cookie))
    return cookies


def test_session_cookie_flags_in_development(client, learner):
    response = client.post("/auth/login", data={"email": learner.email, "password": PASSWORD})
    headers = response.headers.getlist("Set-Cookie")
    assert headers
    for header in headers:
        assert "HttpOnly" in header
        assert "SameSite=Lax" in header


def test_session_cookie_is_secure_in_production(monkeypatch, database_url, app, make):
    monkeypatch.setenv("SECRET_KEY", "p" * 64)
    production = make_app(
        database_url, RAPPORT_ENV="production", WTF_CSRF_ENABLED=False, CONTENT_DIR=SAMPLE
    )
    with sharing_the_test_transaction(production, app):
        user = make.user()
        client = production.test_client()
        response = client.post(
            "/auth/login",
            data={"email": user.email, "password": PASSWORD},
            base_url="https://rapport.example",
        )
        assert response.status_code == 302
        headers = response.headers.getlist("Set-Cookie")
        assert headers
        for header in headers:
            assert "Secure" in header
            assert "HttpOnly" in header
            assert "SameSite=Lax" in header
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_after_login_keep_the_login_cookie(csrf_app, make, catalogue):
    """The session cookie set at login already holds the CSRF token the pages' forms need, so
    the pages that follow send no new cookie (and no new signature is computed for it)."""
    user = make.user()
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/auth/login").text)
    login = client.post(
        "/auth/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD}
    )
    assert login.status_code == 302
    assert login.headers.getlist("Set-Cookie")
    module = catalogue.modules[0]
    lesson = f"/modules/{module.id}/lessons/{module.lessons[0].id}"
    for url in ("/", lesson, lesson, "/auth/account"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert page.headers.getlist("Set-Cookie") == [], url
    logout = client.post("/auth/logout", data={"csrf_token": csrf_token_from(page.text)})
    assert logout.status_code == 302
    assert not logged_in(client)


@pytest.mark.parametrize("url", ["/", "/progress", "/auth/account"])
def test_pages_for_a_logged_in_user_are_not_cached(client, auth, learner, url):
    auth.login(learner.email)
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_api_answers_are_not_cached(api):
    assert "no-store" in api.get("/me/progress").headers.get("Cache-Control", "")


def test_static_files_stay_cacheable(client, auth, learner):
    auth.login(learner.email)
    response = client.get("/static/rapport.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()
