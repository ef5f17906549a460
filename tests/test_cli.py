"""The command line: users, tokens and content checks."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import User


def test_create_a_user(runner, app):
    result = runner.invoke(
        args=[
            "users",
            "create",
            " Tom@Example.com",
            "--name",
            "Tom",
            "--role",
            "trainer",
            "--password",
            "a good long password",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created trainer tom@example.com" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "tom@example.com"))
        assert user.role == "trainer"
        assert user.password_hash.startswith("scrypt:")


def test_create_asks_for_the_password_when_not_given(runner):
    result = runner.invoke(
        args=["users", "create", "pia@example.com", "--name", "Pia"],
        input="a good long password\na good long password\n",
    )
    assert result.exit_code == 0, result.output


def test_create_refuses_bad_arguments(runner, learner):
    unknown_role = runner.invoke(
        args=[
            "users",
            "create",
            "x@example.com",
            "--name",
            "X",
            "--role",
            "boss",
            "--password",
            "a good long password",
        ]
    )
    assert unknown_role.exit_code == 1
    assert "unknown role 'boss'" in unknown_role.output
    existing = runner.invoke(
        args=[
            "users",
            "create",
            learner.email.upper(),
            "--name",
            "X",
            "--password",
            "a good long password",
        ]
    )
    assert existing.exit_code == 1
    assert "already exists" in existing.output
    weak = runner.invoke(
        args=["users", "create", "y@example.com", "--name", "Y", "--password", "short"]
    )
    assert weak.exit_code == 1
    assert "at least 12" in weak.output
    for result in (unknown_role, existing, weak):
        assert "Traceback" not in result.output


def test_a_printed_token_opens_the_api(runner, client, learner):
    result = runner.invoke(args=["users", "token", learner.email])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    response = client.get("/api/v1/modules", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    missing = runner.invoke(args=["users", "token", "nobody@example.com"])
    assert missing.exit_code == 1
    assert "no account" in missing.output


def test_content_check_passes_on_the_shipped_course(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("content OK:")
