"""Trainers' pages: cohorts, their members, reports and exports."""

from flask import Blueprint

bp = Blueprint("trainer", __name__, url_prefix="/trainer")

from app.trainer import routes  # noqa: E402, F401  (routes attach themselves to bp)
