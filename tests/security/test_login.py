"""Login: rate limits on failures, one message for every failure, and the limits on Redis."""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterator

import pytest
from flask import Flask

from app.extensions import db, limiter
from app.models import User
from app.services import sign_in
from tests.conftest import PASSWORD, PROJECT_ROOT, make_app
from tests.security.conftest import sharing_the_test_transaction

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

SAMPLE = (
    PROJECT_ROOT / "tests" / "content" / "sample"
)  # a tiny course: content does not matter here


def fail_login(client, email: str, address: str = "127.0.0.1"):
    return client.post(
        "/auth/login",
        data={"email": email, "password": "not the password at all"},
        environ_base={"REMOTE_ADDR": address},
    )


def assert_rate_limited(response) -> None:
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert "Wait a few minutes and try again." in response.text
    assert int(response.headers["Retry-After"]) > 0


def _failures(app: Flask, email: str, count: int) -> None:
    """As if `count` logins with this address had just failed."""
    with app.test_request_context():
        for _ in range(count):
            sign_in.note_failure(email)


def _wait_is_over(app: Flask, email: str) -> None:
    """As if the address's current wait had run out."""
    with app.test_request_context():
        limiter.limiter.storage.clear(sign_in._keys(email)[1])


def test_failures_make_the_account_wait_but_never_lock_it(client, app, make):
    """Issue 12: the hard lock (anyone could lock anyone out) is now a short, growing wait."""
    user = make.user()
    for _ in range(5):
        assert fail_login(client, user.email).status_code == 401
    # The sixth try, at once: refused whatever the password, from any address.
    response = client.post(
        "/auth/login",
        data={"email": user.email.upper(), "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.9"},
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) in (1, 2)
    assert "wait 1 second and try again" in response.text
    assert response.headers["Content-Type"].startswith("text/html")
    # Another account from the same address is not affected.
    other = make.user()
    assert (
        client.post("/auth/login", data={"email": other.email, "password": PASSWORD}).status_code
        == 302
    )
    client.post("/auth/logout")
    # A second later the right password works, and the count starts again.
    time.sleep(1.1)
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    client.post("/auth/logout")
    assert fail_login(client, user.email).status_code == 401


@pytest.mark.parametrize(("failures", "wait"), [(6, 2), (8, 8), (10, 32), (11, 60), (500, 60)])
def test_each_failure_doubles_the_wait_up_to_a_minute(client, app, make, failures, wait):
    user = make.user()
    _failures(app, user.email, failures)
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert wait - 1 <= int(response.headers["Retry-After"]) <= wait + 1
    # After the wait, even after hundreds of failures, the owner gets in.
    _wait_is_over(app, user.email)
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_tries_during_the_wait_do_not_make_it_longer(client, app, make):
    user = make.user()
    _failures(app, user.email, 7)
    for _ in range(5):
        assert fail_login(client, user.email).status_code == 429
    _wait_is_over(app, user.email)
    assert fail_login(client, user.email).status_code == 401
    response = fail_login(client, user.email)
    assert response.status_code == 429
    assert re.search(r"wait [789] seconds", response.text)  # the 8th failure: 8 seconds


def test_an_address_without_an_account_waits_the_same(client, make):
    """The waits do not tell who has an account: an unknown address gets the same ones."""
    user = make.user()
    for email in (user.email, "nobody-here@example.com"):
        statuses = [fail_login(client, email).status_code for _ in range(6)]
        assert statuses == [401] * 5 + [429], email


def test_thirty_failures_from_one_address_block_that_address(client, make):
    for n in range(30):
        assert fail_login(client, f"nobody{n}@example.com", "203.0.113.5").status_code == 401
    assert_rate_limited(fail_login(client, "someone-else@example.com", "203.0.113.5"))
    user = make.user()
    response = client.post(
        "/auth/login",
        data={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "203.0.113.5"},
    )
    assert response.status_code == 429
    # Another address still gets through.
    assert fail_login(client, "someone-else@example.com", "203.0.113.6").status_code == 401


def test_successful_logins_do_not_count(client, make):
    user = make.user()
    for _ in range(12):  # more than the failures allowed before a wait
        assert (
            client.post("/auth/login", data={"email": user.email, "password": PASSWORD}).status_code
            == 302
        )
        client.post("/auth/logout")


def _visible_text(html: str) -> str:
    html = re.sub(r'name="csrf_token"[^>]*>', "", html)
    html = re.sub(r'value="[^"]*"', "", html)
    return html


def test_wrong_email_and_wrong_password_look_the_same(client, make):
    user = make.user()
    unknown = fail_login(client, "no-such-person@example.com")
    wrong_password = fail_login(client, user.email)
    assert unknown.status_code == wrong_password.status_code == 401
    assert "That email and password do not match an account." in unknown.text
    assert _visible_text(unknown.text) == _visible_text(wrong_password.text)


def test_a_deactivated_account_gets_the_same_message(client, app, make):

    user = make.user()
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 401
    assert "That email and password do not match an account." in response.text


def _redis_reachable() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except Exception as error:
        return f"Redis is not reachable at {REDIS_URL}: {type(error).__name__}"
    return None


@pytest.fixture
def redis_app(database_url: str, app: Flask) -> Iterator[Flask]:
    reason = _redis_reachable()
    if reason:
        pytest.skip(reason)
    # The limiter object is shared by every app instance: the last one initialised sets its
    # storage. Put the memory storage of the test app back afterwards.
    other = make_app(database_url, RATELIMIT_STORAGE_URI=REDIS_URL, CONTENT_DIR=SAMPLE)
    try:
        with sharing_the_test_transaction(other, app) as shared:
            yield shared
    finally:
        limiter.init_app(app)  # back to the test app's memory storage


def test_login_limits_are_shared_through_redis(redis_app, make):
    """Two app instances (two processes or hosts) share the waits after failed logins when
    using Redis: failures on one make the other wait too."""
    user = make.user(email=f"redis-{secrets.token_hex(4)}@example.com")
    first, second = redis_app.test_client(), redis_app.test_client()
    assert "redis" in type(limiter.storage).__name__.lower()
    for n in range(5):
        assert fail_login(first if n % 2 else second, user.email).status_code == 401
    response = first.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "wait" in response.text


def test_the_app_still_logs_people_in_when_the_limit_storage_is_down(database_url, app, make):
    """With Redis unreachable, limits fall back to memory instead of failing every login."""
    broken = make_app(
        database_url, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", CONTENT_DIR=SAMPLE
    )
    try:
        with sharing_the_test_transaction(broken, app) as shared:
            user = make.user()
            response = shared.test_client().post(
                "/auth/login", data={"email": user.email, "password": PASSWORD}
            )
            assert response.status_code == 302
    finally:
        limiter.init_app(app)  # back to the test app's memory storage
