"""The Rapport application factory."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, TemplateNotFound
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from app import db as database
from app.content import QUESTION_KINDS, QuestionKindsIncomplete, load_catalogue
from app.content.kinds import kind_problems, kind_template_roots
from app.extensions import csrf, db, limiter, login_manager, migrate
from app.flask_app import RapportFlask
from app.logging_setup import configure_logging
from app.serializers import JSONProvider
from config import PROJECT_ROOT, config_class, normalise_database_url


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, content, blueprints, CLI and error pages.

    Raises ContentError when the course content is broken, QuestionKindsIncomplete when a
    question kind is, and ConfigError when the environment is; run.py turns each into a message
    and exit status 1.
    """
    app = RapportFlask(__name__, instance_path=os.environ.get("RAPPORT_INSTANCE_PATH") or None)
    app.json = JSONProvider(app)
    overrides = dict(overrides or {})
    chosen = config_class(overrides.pop("RAPPORT_ENV", None))
    app.config.from_object(chosen)
    app.config.update(chosen.from_environment())
    app.config.update(overrides)
    app.config["RAPPORT_ENV"] = chosen.ENV_NAME
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        default_file = Path(app.instance_path) / "rapport.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{default_file}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))

    app.extensions["rapport_catalogue"] = load_catalogue(app.config["CONTENT_DIR"])

    database.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    _init_proxy(app)

    from app import admin, auth, certificates, content_admin, learn, site, trainer
    from app.api import bp as api_bp
    from app.cli import register_commands

    app.url_map.converters["int"] = site.DatabaseId
    blueprints = (
        *(site.bp, auth.bp, learn.bp, api_bp, trainer.bp, admin.bp, certificates.bp),
        content_admin.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)

    register_commands(app)
    _init_question_kinds(app)
    configure_logging(app)
    _record_question_versions(app)
    _init_health_check(app, site)
    return app


def _init_health_check(app: Flask, site: ModuleType) -> None:
    """Answer the load balancers' `/healthz` probes in front of everything else (app/health.py)."""
    from app.health import HealthCheck

    with app.app_context():
        engine = db.engine
    app.wsgi_app = HealthCheck(  # type: ignore[method-assign]
        app.wsgi_app,
        engine=lambda: engine,
        headers=lambda: site.security_headers_for(app.config),
        request_id=site.request_id_from,
    )


def _record_question_versions(app: Flask) -> None:
    """Store the text of the question versions this content brings, once (a read when there is
    nothing new). A database that is unreachable or not upgraded yet never stops the start:
    the versions are stored at the next start, or with `flask --app run content record`."""
    if not app.config.get("RECORD_QUESTION_VERSIONS"):
        return
    from app.services.question_versions import record_versions

    log = logging.getLogger("rapport.content")
    with app.app_context():
        url = db.engine.url
        if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
            return  # no database yet: do not create an empty file (`content check`, say)
        try:
            with db.engine.begin() as connection:
                if not inspect(connection).has_table("question_version"):
                    log.debug("question versions not recorded: run `flask --app run db upgrade`")
                    return
                new = record_versions(connection, app.extensions["rapport_catalogue"])
        except SQLAlchemyError as error:
            log.warning("question versions not recorded at start-up: %s", type(error).__name__)
            return
        finally:
            db.engine.dispose()  # no connection opened here outlives the start (forks)
    if new:
        log.info("stored %d new question version(s)", new)


def _instance_secret_key(instance: Path) -> str:
    """A random key kept in the instance folder, so development sessions survive restarts."""
    key_file = instance / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


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
