"""Fixtures for the security tests: an app with CSRF switched on, and a logged-in session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Connection

from app.extensions import db
from app.models import User
from tests.conftest import make_app


@contextmanager
def sharing_the_test_transaction(other: Flask, app: Flask) -> Iterator[Flask]:
    """Let another app instance use the test's connection, so its writes are rolled back too."""
    with app.app_context():
        connection = db.engines[None]
    if not isinstance(connection, Connection):  # a committed_db test: nothing to share
        yield other
        return
    with other.app_context():
        engines = db.engines
        engine = engines[None]
        engines[None] = connection
    try:
        yield other
    finally:
        engines[None] = engine


@pytest.fixture(scope="session")
def _csrf_app(database_url: str, app: Flask) -> Flask:
    return make_app(database_url, WTF_CSRF_ENABLED=True)


@pytest.fixture
def csrf_app(_csrf_app: Flask, app: Flask) -> Iterator[Flask]:
    """The app as it runs for real: CSRF on (the other tests switch it off for brevity)."""
    with sharing_the_test_transaction(_csrf_app, app) as shared:
        yield shared


def log_in_directly(client: FlaskClient, user: User) -> None:
    """A logged-in session without going through the login form (which itself needs CSRF)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
