"""Configuration from the environment: production refuses unsafe settings, storage is pluggable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app import create_app
from config import PROJECT_ROOT, ConfigError, normalise_database_url
from tests.conftest import make_app as make_full_app

SAMPLE_CONTENT = PROJECT_ROOT / "tests" / "content" / "sample"


def make_app(database_url: str, **overrides: object):
    """The test app with the tiny sample course: these tests are about settings, not content."""
    return make_full_app(database_url, CONTENT_DIR=SAMPLE_CONTENT, **overrides)


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (
        "SECRET_KEY",
        "DATABASE_URL",
        "RAPPORT_ENV",
        "RATELIMIT_STORAGE_URI",
        "RAPPORT_DELETED_ACCOUNT_ANSWERS",
        "RAPPORT_SECURE_COOKIES",
        "RAPPORT_TRUST_PROXY_HOPS",
        "RAPPORT_LOG_LEVEL",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_production_refuses_to_start_without_a_secret_key(clean_environment, database_url):
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        make_app(database_url, RAPPORT_ENV="production")


def test_run_py_explains_a_missing_secret_key_and_exits_1(tmp_path):
    environment = {
        key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DATABASE_URL")
    }
    environment.update(
        RAPPORT_ENV="production",
        RAPPORT_INSTANCE_PATH=str(tmp_path),
        RAPPORT_CONTENT_DIR=str(SAMPLE_CONTENT),
    )
    result = subprocess.run(
        [sys.executable, "-c", "import run"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Rapport cannot start: SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_settings(clean_environment, database_url):
    clean_environment.setenv("SECRET_KEY", "x" * 64)
    app = make_app(database_url, RAPPORT_ENV="production")
    assert app.config["RAPPORT_ENV"] == "production"
    assert app.debug is False
    assert app.testing is False
    assert app.config["PROPAGATE_EXCEPTIONS"] in (None, False)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SECRET_KEY"] == "x" * 64


def test_even_a_flask_debug_variable_leaves_production_without_debug(
    clean_environment, database_url
):
    clean_environment.setenv("SECRET_KEY", "x" * 64)
    clean_environment.setenv("FLASK_DEBUG", "1")
    app = make_app(database_url, RAPPORT_ENV="production")
    assert app.debug is False


@pytest.mark.parametrize("env", ["development", "testing"])
def test_cookies_are_httponly_and_lax_in_every_environment(clean_environment, database_url, env):
    app = make_app(database_url, RAPPORT_ENV=env)
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert app.debug is False


def test_development_without_a_secret_key_makes_one_per_instance(
    clean_environment, tmp_path, database_url
):
    clean_environment.setenv("RAPPORT_INSTANCE_PATH", str(tmp_path))
    first = make_app(database_url, RAPPORT_ENV="development")
    second = make_app(database_url, RAPPORT_ENV="development")
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_unknown_environment_name_is_refused(clean_environment):
    clean_environment.setenv("RAPPORT_ENV", "staging")
    with pytest.raises(ConfigError, match="staging"):
        create_app()


def test_deleted_account_answers_setting_is_checked(clean_environment, database_url):
    clean_environment.setenv("RAPPORT_DELETED_ACCOUNT_ANSWERS", "forget")
    with pytest.raises(ConfigError, match="anonymise"):
        make_app(database_url)
    clean_environment.setenv("RAPPORT_DELETED_ACCOUNT_ANSWERS", "remove")
    assert make_app(database_url).config["DELETED_ACCOUNT_ANSWERS"] == "remove"


def test_rate_limit_storage_is_memory_by_default_and_set_by_url(clean_environment, database_url):
    app = create_app(
        {
            "RAPPORT_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "CONTENT_DIR": SAMPLE_CONTENT,
        }
    )
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    clean_environment.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    app = create_app(
        {
            "RAPPORT_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "CONTENT_DIR": SAMPLE_CONTENT,
        }
    )
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db/rapport", "postgresql+psycopg://u:p@db/rapport"),
        ("postgresql://u@db/rapport", "postgresql+psycopg://u@db/rapport"),
        ("postgresql+psycopg://u@db/rapport", "postgresql+psycopg://u@db/rapport"),
        ("sqlite:////var/lib/rapport.db", "sqlite:////var/lib/rapport.db"),
    ],
)
def test_database_urls_use_psycopg_3(given, used):
    assert normalise_database_url(given) == used


def test_database_url_from_the_environment(clean_environment):
    clean_environment.setenv("DATABASE_URL", "postgres://u@127.0.0.1:1/rapport")
    # Nothing is connected at start-up, so this works even though no server listens there.
    app = create_app({"RAPPORT_ENV": "testing", "CONTENT_DIR": SAMPLE_CONTENT})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@127.0.0.1:1/rapport"


def test_proxy_hops_trust_forwarded_headers_only_when_set(clean_environment, database_url):
    def seen_address(app) -> str:
        @app.get("/_test/address")
        def address() -> str:
            from flask import request

            return request.remote_addr or ""

        return (
            app.test_client().get("/_test/address", headers={"X-Forwarded-For": "203.0.113.7"}).text
        )

    assert seen_address(make_app(database_url)) == "127.0.0.1"
    clean_environment.setenv("RAPPORT_TRUST_PROXY_HOPS", "1")
    assert seen_address(make_app(database_url)) == "203.0.113.7"


def test_gunicorn_settings_come_from_the_environment(clean_environment):
    import runpy

    settings = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    assert settings["workers"] == 2
    assert settings["worker_class"] == "sync"
    assert settings["bind"] == ["127.0.0.1:8000"]
    assert settings["accesslog"] is None
    assert settings["preload_app"] is False
    clean_environment.setenv("RAPPORT_WORKERS", "5")
    clean_environment.setenv("RAPPORT_BIND", "0.0.0.0:9000")
    settings = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    assert settings["workers"] == 5
    assert settings["bind"] == ["0.0.0.0:9000"]


def test_gunicorn_serves_rapport_in_production_mode(tmp_path):
    """The deployment path end to end: gunicorn, two workers, production config, JSON logs."""
    import json
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RAPPORT_", "DATABASE"))
    }
    environment.update(
        RAPPORT_ENV="production",
        SECRET_KEY="g" * 64,
        DATABASE_URL=f"sqlite:///{tmp_path / 'gunicorn.db'}",
        RAPPORT_CONTENT_DIR=str(SAMPLE_CONTENT),
        RAPPORT_INSTANCE_PATH=str(tmp_path / "instance"),
        RAPPORT_BIND=f"127.0.0.1:{port}",
        RAPPORT_WORKERS="2",
    )
    log = (tmp_path / "gunicorn.log").open("w+")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "run:app"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/healthz", headers={"X-Request-Id": "gunicorn-1"}
                )
                with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                    assert response.status == 200
                    assert json.load(response) == {"status": "ok"}
                    assert response.headers["X-Request-Id"] == "gunicorn-1"
                    break
            except OSError:  # not listening yet, or still booting its workers
                assert server.poll() is None, "gunicorn exited"
                assert time.monotonic() < deadline, "gunicorn did not answer in time"
                time.sleep(0.2)
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(
                urllib.request.Request(
                    f"http://127.0.0.1:{port}/no/such/page", headers={"X-Request-Id": "gunicorn-2"}
                ),
                timeout=2,
            )
        assert missing.value.code == 404
        assert "There is nothing at this address" in missing.value.read().decode()
        missing.value.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.seek(0)
        output = log.read()
        log.close()
    assert output.count("Booting worker") == 2, output
    entries = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert any(e.get("request_id") == "gunicorn-2" and e.get("status") == 404 for e in entries)
    # The health check's successes are not logged (load balancers probe it every few seconds).
    assert not any(e.get("path") == "/healthz" for e in entries)
