"""The Rapport application factory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request
from jinja2 import ChoiceLoader, FileSystemLoader, TemplateNotFound
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from app.content import QUESTION_KINDS, QuestionKindsIncomplete, load_catalogue
from app.content.kinds import kind_problems, kind_template_roots
from app.extensions import csrf, db, limiter, login_manager, migrate
from app.logging_setup import configure_logging
from app.services import transactions
from config import PROJECT_ROOT, config_class, normalise_database_url


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, content, blueprints, CLI and error pages.

    Raises ContentError when the course content is broken, QuestionKindsIncomplete when a
    question kind is, and ConfigError when the environment is; run.py turns each into a message
    and exit status 1.
    """
    app = Flask(__name__, instance_path=os.environ.get("RAPPORT_INSTANCE_PATH") or None)
    overrides = dict(overrides or {})
    chosen = config_class(overrides.pop("RAPPORT_ENV", None))
    app.config.from_object(chosen)
    app.config.update(chosen.from_environment())
    app.config.update(overrides)
    app.config["RAPPORT_ENV"] = chosen.ENV_NAME
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        database = Path(app.instance_path) / "rapport.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))

    app.extensions["rapport_catalogue"] = load_catalogue(app.config["CONTENT_DIR"])

    _init_database(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    _init_proxy(app)

    from app import auth, learn, site
    from app.api import bp as api_bp

    app.url_map.converters["int"] = site.DatabaseId
    app.register_blueprint(site.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(learn.bp)
    app.register_blueprint(api_bp)
    from app.certificates import bp as certificates_bp  # issue 13

    app.register_blueprint(certificates_bp)
    csrf.exempt(api_bp)
    try:
        from app import trainer
    except ImportError:  # pragma: no cover - the trainer blueprint is optional while it is built
        trainer = None
    if trainer is not None:
        app.register_blueprint(trainer.bp)

    from app.cli import register_commands

    register_commands(app)
    _init_question_kinds(app)
    site.register_error_handlers(app)
    site.register_security(app)
    configure_logging(app)
    return app


def _instance_secret_key(instance: Path) -> str:
    """A random key kept in the instance folder, so development sessions survive restarts."""
    key_file = instance / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _init_database(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault("connect_args", {"timeout": 15})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL for concurrent readers, a busy timeout instead of 'database is locked', real FKs."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Connection) -> None:
    """Begin SQLite transactions ourselves: IMMEDIATE (the write lock first, waiting for it under
    the busy timeout) for one that will write, deferred for a GET request's reads, so readers do
    not queue behind each other (see app/services/transactions.py). An explicit BEGIN also makes
    savepoints (used for idempotent submissions) behave as documented."""
    if connection.dialect.name != "sqlite":
        return
    writes = connection.get_execution_options().get(transactions.WRITES) or not (
        has_request_context() and request.method in ("GET", "HEAD")
    )
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")
    connection.info[transactions.BEGAN_IMMEDIATE] = writes
    if not writes:
        raw = connection.connection.dbapi_connection
        connection.info[transactions.CHANGES_AT_BEGIN] = raw.total_changes if raw else None


def _init_question_kinds(app: Flask) -> None:
    """Refuse to start unless every question kind is complete (its methods, partials and
    scripts), and let templates look a kind up by name."""
    roots = kind_template_roots()
    if roots:
        app.jinja_loader = ChoiceLoader(
            [app.jinja_loader, *(FileSystemLoader(str(root)) for root in roots)]
        )

    def template_exists(name: str) -> bool:
        try:
            app.jinja_env.loader.get_source(app.jinja_env, name)
        except TemplateNotFound:
            return False
        return True

    static = Path(app.static_folder or "")
    problems = kind_problems(template_exists, lambda name: (static / name).is_file())
    if problems:
        raise QuestionKindsIncomplete(problems)
    app.jinja_env.globals["question_kinds"] = QUESTION_KINDS


def _init_proxy(app: Flask) -> None:
    hops = app.config.get("TRUST_PROXY_HOPS", 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
