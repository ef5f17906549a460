"""Configuration classes, chosen by RAPPORT_ENV and filled from the environment."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent


class ConfigError(RuntimeError):
    """Raised when the environment does not describe a configuration that can start."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    DEBUG = False
    TESTING = False
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # filled in by create_app from DATABASE_URL
    # No ping on every checkout (a round trip per request on PostgreSQL): app/db.py pings only a
    # connection that sat idle in the pool, and a connection found dead is replaced.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    POOL_PING_AFTER_IDLE_SECONDS = 10.0
    CONTENT_DIR = PROJECT_ROOT
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_PROTECTION = None  # sessions are tied to users by a per-user session version instead
    WTF_CSRF_TIME_LIMIT = None  # a token lasts as long as the session that issued it
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # If Redis is down, count in memory per process rather than refuse every login with a 500.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    LOGIN_FAILURES_PER_IP = "30 per minute"
    REGISTRATIONS_PER_IP = "10 per hour"
    # Issue 12: log out after this long without a request; API tokens expire after this many days.
    IDLE_TIMEOUT_HOURS = 8.0
    API_TOKEN_DAYS = 90
    DELETED_ACCOUNT_ANSWERS = "anonymise"  # or "remove"
    TRUST_PROXY_HOPS = 0
    LOG_LEVEL = "INFO"
    # Store the text of each question version the first time the app starts with it (see
    # app/services/question_versions.py). The test suite records explicitly instead.
    RECORD_QUESTION_VERSIONS = True
    # Issue 13: the public address (xAPI ids, certificate links) and the learning record store.
    RAPPORT_BASE_URL = ""
    RAPPORT_XAPI_ENDPOINT = ""  # empty: nothing is sent (statements still queue)
    RAPPORT_XAPI_USERNAME = ""
    RAPPORT_XAPI_PASSWORD = ""
    RAPPORT_XAPI_ACTOR_EMAIL = False  # identify learners to the LRS by email (opt-in)
    RAPPORT_XAPI_BATCH_SIZE = 50
    RAPPORT_XAPI_RETRY_SECONDS = 30  # first wait after a failure; doubles up to an hour

    @classmethod
    def from_environment(cls) -> dict:
        """The settings this class takes from environment variables."""
        settings: dict = {
            "SECRET_KEY": os.environ.get("SECRET_KEY") or cls.SECRET_KEY,
            "CONTENT_DIR": Path(os.environ.get("RAPPORT_CONTENT_DIR") or cls.CONTENT_DIR),
            "RATELIMIT_STORAGE_URI": os.environ.get(
                "RATELIMIT_STORAGE_URI", cls.RATELIMIT_STORAGE_URI
            ),
            "DELETED_ACCOUNT_ANSWERS": os.environ.get(
                "RAPPORT_DELETED_ACCOUNT_ANSWERS", cls.DELETED_ACCOUNT_ANSWERS
            ),
            "TRUST_PROXY_HOPS": int(
                os.environ.get("RAPPORT_TRUST_PROXY_HOPS", cls.TRUST_PROXY_HOPS)
            ),
            "SESSION_COOKIE_SECURE": _bool("RAPPORT_SECURE_COOKIES", cls.SESSION_COOKIE_SECURE),
            "IDLE_TIMEOUT_HOURS": _number("RAPPORT_IDLE_TIMEOUT_HOURS", cls.IDLE_TIMEOUT_HOURS),
            "API_TOKEN_DAYS": int(_number("RAPPORT_API_TOKEN_DAYS", cls.API_TOKEN_DAYS)),
            "POOL_PING_AFTER_IDLE_SECONDS": _number(
                "RAPPORT_POOL_PING_AFTER_IDLE_SECONDS", cls.POOL_PING_AFTER_IDLE_SECONDS
            ),
        }
        settings["REMEMBER_COOKIE_SECURE"] = settings["SESSION_COOKIE_SECURE"]
        settings.update(_xapi_settings(cls))
        settings["LOG_LEVEL"] = os.environ.get("RAPPORT_LOG_LEVEL", cls.LOG_LEVEL).upper()
        if settings["DELETED_ACCOUNT_ANSWERS"] not in ("anonymise", "remove"):
            raise ConfigError(
                "RAPPORT_DELETED_ACCOUNT_ANSWERS must be 'anonymise' or 'remove', not "
                f"{settings['DELETED_ACCOUNT_ANSWERS']!r}"
            )
        if os.environ.get("DATABASE_URL"):
            settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
        return settings


def _number(name: str, default: float) -> float:
    """A positive number from the environment, or ConfigError saying what is wrong."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 < number < 1e6:
        raise ConfigError(f"{name} must be a positive number, not {value!r}")
    return number


def _xapi_settings(cls: type[Config]) -> dict:
    """The base URL and xAPI settings from the environment (issue 13)."""
    endpoint = os.environ.get("RAPPORT_XAPI_ENDPOINT", cls.RAPPORT_XAPI_ENDPOINT).strip()
    if endpoint and not endpoint.startswith(("http://", "https://")):
        raise ConfigError(f"RAPPORT_XAPI_ENDPOINT must be an http(s) URL, not {endpoint!r}")
    return {
        "RAPPORT_BASE_URL": os.environ.get("RAPPORT_BASE_URL", cls.RAPPORT_BASE_URL).strip(),
        "RAPPORT_XAPI_ENDPOINT": endpoint,
        "RAPPORT_XAPI_USERNAME": os.environ.get("RAPPORT_XAPI_USERNAME", cls.RAPPORT_XAPI_USERNAME),
        "RAPPORT_XAPI_PASSWORD": os.environ.get("RAPPORT_XAPI_PASSWORD", cls.RAPPORT_XAPI_PASSWORD),
        "RAPPORT_XAPI_ACTOR_EMAIL": _bool("RAPPORT_XAPI_ACTOR_EMAIL", cls.RAPPORT_XAPI_ACTOR_EMAIL),
        "RAPPORT_XAPI_BATCH_SIZE": int(
            os.environ.get("RAPPORT_XAPI_BATCH_SIZE", cls.RAPPORT_XAPI_BATCH_SIZE)
        ),
    }


class DevelopmentConfig(Config):
    """Local use over plain HTTP: debug off, cookies not marked Secure."""

    ENV_NAME = "development"
    # Development may run without SECRET_KEY; create_app then makes a random key per instance
    # folder (stored in instance/secret_key), never a fixed fallback.


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-secret-key"  # noqa: S105 - never used outside the test suite
    RATELIMIT_ENABLED = True
    RECORD_QUESTION_VERSIONS = False


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    # The __Host- prefix makes browsers refuse the cookie unless it is Secure, for Path=/ and
    # without a Domain: no subdomain or plain-HTTP page can set or overwrite the session.
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_PATH = "/"
    SESSION_COOKIE_DOMAIN = None
    REMEMBER_COOKIE_NAME = "__Host-remember_token"
    REMEMBER_COOKIE_PATH = "/"
    REMEMBER_COOKIE_DOMAIN = None

    @classmethod
    def from_environment(cls) -> dict:
        settings = super().from_environment()
        if not settings["SECRET_KEY"]:
            raise ConfigError(
                "SECRET_KEY is not set. Production refuses to start without one: set SECRET_KEY "
                'to a long random value, e.g. python -c "import secrets; print(secrets.token_hex(32))"'
            )
        settings["SESSION_COOKIE_SECURE"] = True
        settings["REMEMBER_COOKIE_SECURE"] = True
        return settings


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_class(name: str | None = None) -> type[Config]:
    """The configuration class for RAPPORT_ENV (development when unset)."""
    name = (name or os.environ.get("RAPPORT_ENV") or "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigError(
            f"RAPPORT_ENV={name!r} is not known; use one of: {', '.join(CONFIGS)}"
        ) from None


def normalise_database_url(url: str) -> str:
    """Let operators write postgres:// or postgresql:// and still get the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
