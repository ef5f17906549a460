"""The `learn` blueprint object, which the route modules attach their views to."""

from flask import Blueprint

bp = Blueprint("learn", __name__)
