"""The health check answered in front of Flask: what a load balancer and an operator see."""

from __future__ import annotations

import logging
import sqlite3
import time

import pytest
from sqlalchemy.engine import make_url

from app.extensions import db
from tests.conftest import make_app
from tests.reliability.test_database_down import CLOSED_PORT_URL, SAMPLE
from tests.security.test_headers_and_redirects import assert_security_headers


def test_head_answers_like_get_without_a_body(client):
    response = client.head("/healthz")
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["Content-Type"] == "application/json"
    assert_security_headers(response)
    assert "Set-Cookie" not in response.headers


def test_a_plain_request_id_is_kept_and_a_bad_one_replaced(client):
    kept = client.get("/healthz", headers={"X-Request-Id": "balancer-7.a_b"})
    assert kept.headers["X-Request-Id"] == "balancer-7.a_b"
    replaced = client.get("/healthz", headers={"X-Request-Id": "<script>"})
    assert replaced.headers["X-Request-Id"] != "<script>"
    assert replaced.headers["X-Request-Id"].isalnum()


def test_other_methods_are_refused_as_everywhere_else(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.json["error"]["code"] == "method_not_allowed"
    assert_security_headers(response)


def test_production_sends_hsts_on_the_health_check_too():
    app = make_app(CLOSED_PORT_URL, CONTENT_DIR=SAMPLE, SESSION_COOKIE_SECURE=True)
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    with app.app_context():
        db.engine.dispose()


def test_a_failing_check_is_logged_and_a_passing_one_is_not(client, caplog):
    with caplog.at_level(logging.INFO, logger="rapport.requests"):
        assert client.get("/healthz").status_code == 200
    assert not [r for r in caplog.records if r.name == "rapport.requests"]

    app = make_app(CLOSED_PORT_URL, CONTENT_DIR=SAMPLE)
    with caplog.at_level(logging.INFO, logger="rapport.requests"):
        response = app.test_client().get("/healthz", headers={"X-Request-Id": "probe-1"})
    assert response.status_code == 503
    assert response.json == {"status": "unavailable"}
    (record,) = [r for r in caplog.records if r.name == "rapport.requests"]
    assert (record.request_id, record.path, record.status) == ("probe-1", "/healthz", 503)
    with app.app_context():
        db.engine.dispose()


def test_sqlite_health_check_never_waits_for_the_write_lock(app, client, committed_db):
    """A long write (an import, a migration) holds SQLite's only write lock: the probe still
    answers at once instead of waiting out the 15 s busy timeout and failing the host."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's database-wide write lock")
    writer = sqlite3.connect(url.database, isolation_level=None, timeout=5)
    try:
        writer.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        response = client.get("/healthz")
        assert response.status_code == 200
        assert time.monotonic() - started < 2
    finally:
        writer.execute("ROLLBACK")
        writer.close()
