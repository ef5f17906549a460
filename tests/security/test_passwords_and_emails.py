"""Password rules (length, not composition; common ones refused; scrypt) and unique emails."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import User
from app.services import accounts
from tests.conftest import PASSWORD

LONGEST = ("a sentence is a fine password; " * 5)[:128]


def register(client, email: str, password: str, name: str = "Ann"):
    return client.post("/auth/register", data={"name": name, "email": email, "password": password})


def login_status(client, email: str, password: str) -> int:
    status = client.post("/auth/login", data={"email": email, "password": password}).status_code
    client.post("/auth/logout")
    return status


def users_with(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


@pytest.mark.parametrize(
    "password",
    [
        "tulip garden",  # 12 characters, the minimum
        "lower case only words",  # no composition rules
        LONGEST,  # 128 characters, the maximum
        "ünïcødé pässwörd ✓",
    ],
)
def test_passwords_that_are_accepted(client, app, password):
    email = f"ok{len(password)}@example.com"
    response = register(client, email, password)
    assert response.status_code == 303, response.text
    assert users_with(app, email) == 1
    assert (
        client.post("/auth/login", data={"email": email, "password": password}).status_code == 302
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("tulip garde", "12"),  # 11 characters
        (LONGEST + "!", "128"),  # 129 characters
        ("passwordpassword", "most common"),
        ("PasswordPassword", "most common"),  # case does not make a common password rare
        ("123456789012", "most common"),
        ("aaaaaaaaaaaaaaaa", "repeats"),
    ],
)
def test_passwords_that_are_refused(client, app, password, message):
    response = register(client, "refused@example.com", password)
    assert response.status_code == 422
    assert message in response.text
    assert users_with(app, "refused@example.com") == 0


def test_service_rules_match_the_form(ctx):
    assert len(LONGEST) == 128
    assert accounts.password_problem("tulip garden") is None
    assert accounts.password_problem(LONGEST) is None
    assert accounts.password_problem(LONGEST + "!") == "Use at most 128 characters."
    assert "12" in accounts.password_problem("tulip garde")
    assert "common" in accounts.password_problem("iloveyouiloveyou")
    assert "email" in accounts.password_problem(
        "ann.smith.home@x.org", email="ann.smith.home@x.org"
    )


def test_passwords_are_stored_with_scrypt(client, app):
    response = register(client, "hash@example.com", "a long secret phrase")
    assert response.status_code == 303, response.text[:3000]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "hash@example.com"))
        assert user.password_hash.startswith("scrypt:")
        assert "a long secret phrase" not in user.password_hash


def test_changing_to_a_common_password_is_refused(client, auth, learner):
    auth.login(learner.email)
    response = client.post(
        "/auth/account",
        data={"current": PASSWORD, "password": "iloveyou1234", "confirm": "iloveyou1234"},
    )
    assert response.status_code == 422
    assert "most common" in response.text


@pytest.mark.parametrize(
    "look_alike",
    [
        " Ann@Example.COM ",
        "ANN@EXAMPLE.COM",
        "\uff41\uff4e\uff4e@example.com",  # fullwidth "ａｎｎ", NFKC makes it "ann"
        "ann@exa\u2139ple.com".replace("\u2139", "m"),  # the plain spelling, for completeness
        "\u212bnn@example.com".replace("\u212b", "a"),
    ],
)
def test_look_alike_emails_are_one_account(client, app, look_alike):
    first = register(client, "ann@example.com", PASSWORD)
    assert first.status_code == 303
    response = register(client, look_alike, "another long password", name="Impostor")
    # The same answer as for a new account (issue 12: no list of who has one), nothing changed.
    assert response.status_code == 303
    assert response.headers["Location"] == first.headers["Location"] == "/auth/login"
    assert users_with(app, "ann@example.com") == 1
    with app.app_context():
        ann = db.session.scalar(select(User).where(User.email == "ann@example.com"))
        assert ann.name == "Ann"
    assert login_status(client, "ann@example.com", "another long password") == 401
    assert login_status(client, "ann@example.com", PASSWORD) == 302


def test_emails_are_stored_trimmed_normalised_and_case_folded(client, app):
    assert register(client, "  \uff2a\uff4f@Example.COM\t", PASSWORD, name="Jo").status_code == 303
    assert users_with(app, "jo@example.com") == 1
    response = client.post("/auth/login", data={"email": " JO@example.com ", "password": PASSWORD})
    assert response.status_code == 302


def test_case_folding_is_unicode_aware(client, app):
    assert register(client, "STRAßE@example.com", PASSWORD).status_code == 303
    assert register(client, "strasse@example.com", PASSWORD).status_code == 303
    assert users_with(app, "strasse@example.com") == 1


def test_the_database_refuses_a_duplicate_email_too(ctx):
    """Even a race past the service's check cannot create two accounts for one address."""
    from sqlalchemy.exc import IntegrityError

    db.session.add(User(email="twice@example.com", name="One", password_hash="x"))
    db.session.flush()
    db.session.add(User(email="twice@example.com", name="Two", password_hash="x"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
