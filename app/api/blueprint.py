"""The `api` blueprint object, which the route modules attach their views to."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
