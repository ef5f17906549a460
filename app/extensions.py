"""Flask extension objects, created unbound and initialised in create_app()."""

from flask_limiter import Limiter as _Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Limiter(_Limiter):
    """Flask-Limiter, minus a check on every request that has nothing to check.

    Limits on a view (`@limiter.limit`) are checked by the decorator when the view runs; the
    check Flask-Limiter also runs before every request only applies default, application-wide,
    blueprint and meta limits, and Rapport sets none. Skipping it while there are none saves
    a few percent of every page (bench/README.md, issue 15).
    """

    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        if in_middleware and not self._has_request_wide_limits():
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)

    def _has_request_wide_limits(self) -> bool:
        manager = self.limit_manager
        return bool(
            manager.default_limits
            or manager.application_limits
            or getattr(manager, "_blueprint_limits", True)
            or self._meta_limits
        )


# Objects stay readable after the one commit a request makes (no reload of the user for the page).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
