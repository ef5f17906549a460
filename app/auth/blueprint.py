"""The `auth` blueprint object, which the route modules attach their views to."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")
