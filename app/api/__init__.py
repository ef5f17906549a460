"""JSON API v1: Bearer tokens only, the same services as the HTML views."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from app.api import routes  # noqa: E402, F401  (routes attach themselves to bp)
from app.api import cohorts  # noqa: E402, F401  (cohort endpoints attach themselves to bp)
