"""Issue 12: a way back into an account without email. An administrator, the learner's trainer
or an operator's CLI issues a one-time password-reset link, valid 24 hours, stored hashed."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import PasswordReset, User, utcnow
from app.services import cohorts, sign_in
from tests.conftest import PASSWORD

NEW_PASSWORD = "a brand new passphrase"


def cli_link(runner, email: str) -> str:
    result = runner.invoke(args=["users", "reset-link", email])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"\S*/auth/reset/[A-Za-z0-9_-]{40,}", last), result.output
    return last


def test_the_cli_prints_the_link_as_its_last_line(app, runner, make, monkeypatch):
    user = make.user()
    path = cli_link(runner, user.email.upper())
    assert path.startswith("/auth/reset/")
    app.config["RAPPORT_BASE_URL"] = "https://rapport.example.org/"
    try:
        assert cli_link(runner, user.email).startswith("https://rapport.example.org/auth/reset/")
    finally:
        app.config["RAPPORT_BASE_URL"] = ""
    unknown = runner.invoke(args=["users", "reset-link", "nobody@example.com"])
    assert unknown.exit_code != 0
    assert "no account" in unknown.output


def test_a_link_sets_a_new_password_once(app, runner, make, client):
    user = make.user()
    path = cli_link(runner, user.email)
    with app.app_context():  # only a hash is stored
        stored = db.session.scalars(select(PasswordReset.token_hash)).all()
        assert stored == [hashlib.sha256(path.rsplit("/", 1)[1].encode()).hexdigest()]
    page = client.get(path)
    assert page.status_code == 200
    assert user.email in page.text
    done = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303
    assert client.get("/auth/account").status_code == 200  # logged in
    client.post("/auth/logout")
    login = client.post("/auth/login", data={"email": user.email, "password": NEW_PASSWORD})
    assert login.status_code == 302
    fresh = app.test_client()
    assert fresh.get(path).status_code == 404  # used
    assert fresh.post(path, data={"password": "x" * 20, "confirm": "x" * 20}).status_code == 404


def test_a_link_expires_after_24_hours_and_a_newer_one_replaces_it(app, runner, make, client):
    user = make.user()
    older = cli_link(runner, user.email)
    newer = cli_link(runner, user.email)
    assert client.get(older).status_code == 404
    assert client.get(newer).status_code == 200
    with app.app_context():
        reset = db.session.scalars(
            select(PasswordReset).where(PasswordReset.used_at.is_(None))
        ).one()
        assert reset.expires_at - reset.created_at == timedelta(hours=24)
        reset.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get(newer).status_code == 404
    assert (
        client.post("/auth/login", data={"email": user.email, "password": PASSWORD}).status_code
        == 302
    )


def test_a_weak_new_password_is_refused_and_the_link_still_works(runner, make, client):
    user = make.user()
    path = cli_link(runner, user.email)
    refused = client.post(path, data={"password": "short", "confirm": "short"})
    assert refused.status_code == 422
    assert client.get(path).status_code == 200


def test_the_reset_ends_other_sessions_and_forgets_failures(app, runner, make):
    user = make.user()
    other = app.test_client()
    other.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    with app.test_request_context():
        for _ in range(30):
            sign_in.note_failure(user.email)
    path = cli_link(runner, user.email)
    app.test_client().post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert other.get("/auth/account").status_code == 302
    response = app.test_client().post(
        "/auth/login", data={"email": user.email, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302  # no wait left


@pytest.fixture
def cohort_people(app: Flask, make):
    trainer, learner, co_trainer = make.user("trainer"), make.user(), make.user("trainer")
    outsider = make.user()
    with app.app_context():
        cohort = cohorts.create_cohort(db.session.get(User, trainer.id), "Resets")
        cohorts.add_member(cohort, learner.id, "learner")
        cohorts.add_member(cohort, co_trainer.id, "trainer")
        db.session.commit()
        cohort_id = cohort.id
    return trainer, learner, co_trainer, outsider, cohort_id


def _issue(client, url: str) -> tuple[int, str]:
    response = client.post(url)
    links = re.findall(r"http://localhost(/auth/reset/[A-Za-z0-9_-]+)", response.text)
    return response.status_code, links[0] if links else ""


def test_the_learners_trainer_issues_a_link_on_the_members_page(app, cohort_people):
    trainer, learner, co_trainer, outsider, cid = cohort_people
    client = app.test_client()
    client.post("/auth/login", data={"email": trainer.email, "password": PASSWORD})
    assert "Password-reset link" in client.get(f"/trainer/cohorts/{cid}/members").text
    status, path = _issue(client, f"/trainer/cohorts/{cid}/members/{learner.id}/reset-link")
    assert status == 200
    assert app.test_client().get(path).status_code == 200
    # Never for a co-trainer (or an administrator), nor for someone outside the cohort.
    for person in (co_trainer, outsider):
        status, _ = _issue(client, f"/trainer/cohorts/{cid}/members/{person.id}/reset-link")
        assert status == 404


def test_an_administrator_issues_a_link_for_anyone(app, cohort_people, make):
    _, _, co_trainer, _, _ = cohort_people
    admin = make.user("admin")
    client = app.test_client()
    client.post("/auth/login", data={"email": admin.email, "password": PASSWORD})
    assert "Password-reset link" in client.get("/trainer/users").text
    status, path = _issue(client, f"/trainer/users/{co_trainer.id}/reset-link")
    assert status == 200
    assert app.test_client().get(path).status_code == 200


def test_the_login_page_says_whom_to_ask(client):
    page = client.get("/auth/login").text
    assert "ask your trainer or an administrator for a password-reset link" in page
