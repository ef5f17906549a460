"""JSON API v1: Bearer tokens only, the same services as the HTML views."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The route modules attach their views to bp when imported.
from app.api import certificates, cohorts, routes  # noqa: E402, F401
