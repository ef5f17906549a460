"""The `certificates` blueprint object, which the route modules attach their views to."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)
