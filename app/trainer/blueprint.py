"""The `trainer` blueprint object, which the route modules attach their views to."""

from flask import Blueprint

bp = Blueprint("trainer", __name__, url_prefix="/trainer")
