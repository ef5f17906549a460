"""Learners' data rights: download everything, delete the account, and a registry that is complete."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Answer,
    ApiToken,
    Attempt,
    Cohort,
    CohortInvitation,
    CohortMember,
    ContentDecision,
    LessonRead,
    PasswordReset,
    User,
    UserInvite,
    utcnow,
)
from app.services import certificates, data_rights
from tests.conftest import PASSWORD, Api, make_app, right_answers
from tests.security.conftest import sharing_the_test_transaction

SECRET_COLUMNS = {"password_hash", "token_hash", "session_version", "request_fingerprint"}


def test_every_table_that_refers_to_a_user_is_in_the_registry():
    """A new model with a user reference must say, in data_rights.REGISTRY, how export and
    deletion treat it; otherwise this test fails and names it."""
    registered = data_rights.registry_entries()
    missing = [
        f"{table.name}.{fk.parent.name}"
        for table in db.metadata.sorted_tables
        for fk in table.foreign_keys
        if (fk.column.table.name, fk.column.name) == ("user", "id")
        and (table.name, fk.parent.name) not in registered
    ]
    assert not missing, (
        "add these to app/services/data_rights.py REGISTRY (how they are exported and what "
        f"deleting an account does to them): {', '.join(missing)}"
    )
    assert ("user", "id") in registered


def test_every_table_below_a_registered_table_is_covered():
    """Rows that hang off a user's rows (answers under attempts) are exported and deleted too."""
    registered = {entry.table: entry for entry in data_rights.REGISTRY}
    uncovered = []
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            parent = fk.column.table.name
            if parent == "user" or parent not in registered:
                continue
            children = registered[parent].children
            if (table.name, fk.parent.name) not in children and table.name not in registered:
                uncovered.append(f"{table.name}.{fk.parent.name} -> {parent}")
    assert not uncovered, f"list these as children in the data-rights registry: {uncovered}"


def test_the_registry_names_only_real_tables_and_columns():
    for entry in data_rights.REGISTRY:
        table = db.metadata.tables[entry.table]
        named = {entry.column, *entry.secret_columns, *entry.scrub_columns}
        assert named <= set(table.columns.keys()), entry
        for child, column in entry.children:
            assert column in db.metadata.tables[child].columns, (child, column)
        if entry.on_delete == "detach":
            assert table.c[entry.column].nullable, f"{entry.table}.{entry.column} cannot be NULL"


@pytest.fixture
def rich_learner(app: Flask, make, catalogue) -> tuple[User, str]:
    """A learner with something in every table of the registry."""
    user = make.user(name="Dana Data")
    token = make.token(user)
    api = Api(app.test_client(), token)
    module = catalogue.modules[0]
    api.get(f"/modules/{module.id}/lessons/{module.lessons[0].id}")
    pre_test = next(q for q in catalogue.quizzes.values() if q.pre_test_of)
    api.post(f"/quizzes/{pre_test.id}/attempts", json={"answers": right_answers(pre_test)})
    quiz = catalogue.quiz(pre_test.pre_test_of)  # after its pre-test: a learning-gain pair
    api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": right_answers(quiz)})
    api.post(
        f"/quizzes/{quiz.id}/attempts",
        json={"answers": right_answers(quiz)},
        headers={"Idempotency-Key": "dana-1"},
    )
    with app.app_context():
        cohort = Cohort(name="Spring group", join_code="DATA0001")
        db.session.add(cohort)
        db.session.flush()
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=user.id, role="learner"))
        db.session.add(
            UserInvite(
                user_id=user.id, token_hash="f" * 64, expires_at=utcnow() + timedelta(days=1)
            )
        )
        db.session.add(certificates.issue(db.session.get(User, user.id), catalogue.course))  # 13
        # Issue 12: a reset link and an invitation, each naming the learner twice (a learner
        # would not issue or send one; enough that the rows name them).
        db.session.add(
            PasswordReset(
                user_id=user.id,
                issued_by=user.id,
                token_hash="e" * 64,
                expires_at=utcnow() + timedelta(days=1),
            )
        )
        db.session.add(
            CohortInvitation(
                cohort_id=cohort.id, user_id=user.id, invited_by=user.id, token_hash="d" * 64
            )
        )
        db.session.add(  # 14: only an admin decides, but the registry must cover the row
            ContentDecision(
                quiz_id=quiz.id,
                question_id=quiz.questions[0].id,
                decision="keep",
                question_version=quiz.questions[0].version,
                content_version=catalogue.version,
                decided_by_id=user.id,
                decided_via="admin page",
            )
        )
        db.session.commit()
    return user, token


def rows_about(app: Flask, user_id: int) -> dict[str, int]:
    """How many rows of each registered table still name the user."""
    counts = {}
    with app.app_context():
        for entry in data_rights.REGISTRY:
            table = db.metadata.tables[entry.table]
            counts[entry.section] = db.session.scalar(
                select(func.count()).select_from(table).where(table.c[entry.column] == user_id)
            )
    return counts


def test_the_export_holds_every_registered_table_and_no_secret(app, rich_learner, catalogue):
    user, token = rich_learner
    response = Api(app.test_client(), token).get("/me/export")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    body = response.json
    assert body["format"] == data_rights.EXPORT_FORMAT
    assert body["user_id"] == user.id
    data = body["data"]
    assert set(data) == {entry.section for entry in data_rights.REGISTRY}
    assert set(body["about"]) == set(data)
    for table, rows in rows_about(app, user.id).items():
        shown = data[table]
        assert (1 if isinstance(shown, dict) else len(shown)) == rows, table
        assert rows >= 1, f"the fixture should put something in {table}"
    assert data["user"]["email"] == user.email
    assert data["user"]["name"] == "Dana Data"
    quiz = catalogue.quiz(next(q for q in catalogue.quizzes.values() if q.pre_test_of).pre_test_of)
    attempt = next(a for a in data["attempt"] if a["quiz_id"] == quiz.id)
    assert [a["question_id"] for a in attempt["answers"]] == [q.id for q in quiz.questions]
    assert data["cohort_member"][0]["role"] == "learner"
    text = json.dumps(body)
    for secret in SECRET_COLUMNS:
        assert f'"{secret}"' not in text
    assert token not in text
    assert PASSWORD not in text


def test_the_export_is_a_download_from_the_account_page(client, auth, rich_learner):
    user, _ = rich_learner
    auth.login(user.email)
    page = client.get("/auth/account")
    assert 'href="/auth/account/export"' in page.text
    assert "Delete my account" in page.text
    response = client.get("/auth/account/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.json["user_id"] == user.id
    assert "no-store" in response.headers["Cache-Control"]


def test_the_export_needs_a_login(client):
    assert client.get("/auth/account/export").status_code == 302


def test_deleting_needs_the_password(client, auth, app, rich_learner):
    user, _ = rich_learner
    auth.login(user.email)
    before = rows_about(app, user.id)
    response = client.post("/auth/account/delete", data={"delete-password": "not my password"})
    assert response.status_code == 422
    assert "That is not your password." in response.text
    assert rows_about(app, user.id) == before
    assert client.get("/auth/account").status_code == 200


def test_deleting_in_the_browser_anonymises_answers_by_default(client, auth, app, rich_learner):
    user, token = rich_learner
    assert app.config["DELETED_ACCOUNT_ANSWERS"] == "anonymise"
    with app.app_context():
        answers_before = db.session.scalar(select(func.count()).select_from(Answer))
    auth.login(user.email)
    response = client.post("/auth/account/delete", data={"delete-password": PASSWORD})
    assert response.status_code == 302
    assert rows_about(app, user.id) == {entry.section: 0 for entry in data_rights.REGISTRY}
    with app.app_context():
        placeholder = db.session.scalars(select(User).where(User.deleted_at.is_not(None))).one()
        assert placeholder.name == "Deleted account"
        assert placeholder.email.endswith("@deleted.invalid")
        assert "dana" not in placeholder.email.casefold()
        assert placeholder.password_hash is None
        assert not placeholder.active
        kept = db.session.scalars(select(Attempt)).all()
        assert len(kept) == 3  # the pre-test and the quiz twice
        for attempt in kept:
            assert attempt.user_id == placeholder.id
            assert attempt.idempotency_key is None
            assert attempt.request_fingerprint is None
            assert attempt.started_at is None
        assert db.session.scalar(select(func.count()).select_from(Answer)) == answers_before
        assert db.session.scalar(select(func.count()).select_from(Cohort)) == 1
        membership = db.session.scalars(select(CohortMember)).one()
        assert (membership.user_id, membership.role) == (placeholder.id, "learner")
        assert db.session.scalar(
            select(func.count()).select_from(LessonRead).where(LessonRead.user_id == placeholder.id)
        )
        for table in ("api_token", "user_invite"):
            rows = db.session.execute(select(func.count()).select_from(db.metadata.tables[table]))
            assert rows.scalar() == 0, table
    assert client.get("/auth/account").status_code == 302  # logged out
    assert Api(app.test_client(), token).get("/modules").status_code == 401
    # The address is free again.
    again = app.test_client().post(
        "/auth/register", data={"name": "Dana", "email": user.email, "password": PASSWORD}
    )
    assert again.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == user.email)).id != user.id


def test_anonymised_answers_keep_counting_in_the_cohort_report(app, make, catalogue):
    trainer, learner = make.user(role="trainer"), make.user(name="Leaving Learner")
    with app.app_context():
        cohort = Cohort(name="Autumn group", join_code="LEAVE001")
        db.session.add(cohort)
        db.session.flush()
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=trainer.id, role="trainer"))
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=learner.id, role="learner"))
        db.session.commit()
    quiz = next(q for q in catalogue.quizzes.values() if q.is_graded)
    learner_api = Api(app.test_client(), make.token(learner))
    learner_api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": right_answers(quiz)})
    trainer_api = Api(app.test_client(), make.token(trainer))
    before = trainer_api.get(f"/cohorts/{cohort.id}/report").json

    response = learner_api.client.delete(
        "/api/v1/me", json={"password": PASSWORD}, headers=learner_api.headers
    )
    assert response.status_code == 204

    after = trainer_api.get(f"/cohorts/{cohort.id}/report").json
    assert after["quizzes"] == before["quizzes"]
    assert after["modules"] == before["modules"]
    (shown,) = after["learners"]
    assert shown["name"] == "Deleted account"
    assert "Leaving" not in json.dumps(after)
    # The placeholder cannot be managed, listed or logged in as.
    admin = make.user(role="admin")
    admin_client = app.test_client()
    admin_client.post("/auth/login", data={"email": admin.email, "password": PASSWORD})
    assert "Deleted account" not in admin_client.get("/trainer/users").text
    assert admin_client.post(f"/trainer/users/{shown['id']}/activate").status_code == 404


@pytest.fixture
def removing_app(database_url: str, app: Flask) -> Iterator[Flask]:
    other = make_app(database_url, DELETED_ACCOUNT_ANSWERS="remove")
    with sharing_the_test_transaction(other, app) as shared:
        yield shared


def test_deleting_through_the_api_can_remove_answers(removing_app, app, rich_learner, make):
    user, token = rich_learner
    bystander = make.user()
    bystander_api = Api(removing_app.test_client(), make.token(bystander))
    quiz = next(iter(app.extensions["rapport_catalogue"].quizzes.values()))
    bystander_api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": right_answers(quiz)})

    api = Api(removing_app.test_client(), token)
    response = api.client.delete("/api/v1/me", json={"password": PASSWORD}, headers=api.headers)
    assert response.status_code == 204
    assert rows_about(app, user.id) == {entry.section: 0 for entry in data_rights.REGISTRY}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1  # the bystander's
        assert db.session.scalar(select(func.count()).select_from(Answer)) == len(quiz.questions)
        assert db.session.get(User, bystander.id) is not None
    assert api.get("/modules").status_code == 401


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"password": "wrong password"}, 403, "wrong_password"),
        ({}, 403, "wrong_password"),
        ({"password": None}, 403, "wrong_password"),
        ({"password": PASSWORD, "user_id": 1}, 422, "unknown_fields"),
    ],
)
def test_api_deletion_refuses_without_the_password(app, rich_learner, body, status, code):
    user, token = rich_learner
    api = Api(app.test_client(), token)
    before = rows_about(app, user.id)
    response = api.client.delete("/api/v1/me", json=body, headers=api.headers)
    assert response.status_code == status
    assert response.json["error"]["code"] == code
    assert rows_about(app, user.id) == before


def test_the_last_administrator_cannot_delete_their_account(app, make):
    admin = make.user(role="admin")
    api = Api(app.test_client(), make.token(admin))
    response = api.client.delete("/api/v1/me", json={"password": PASSWORD}, headers=api.headers)
    assert response.status_code == 409
    assert "only administrator" in response.json["error"]["message"]
    make.user(role="admin")
    response = api.client.delete("/api/v1/me", json={"password": PASSWORD}, headers=api.headers)
    assert response.status_code == 204


def test_deleting_leaves_nobody_elses_data(app, rich_learner, make):
    user, _ = rich_learner
    other = make.user()
    make.token(other)
    with app.app_context():
        db.session.add(LessonRead(user_id=other.id, module_id="m", lesson_id="l"))
        db.session.commit()
        before = rows_about(app, other.id)
        data_rights.delete_account(db.session.get(User, user.id), "remove")
        db.session.commit()
    assert rows_about(app, other.id) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1
