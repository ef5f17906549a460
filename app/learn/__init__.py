from flask import Blueprint

bp = Blueprint("learn", __name__)

from app.learn import join, routes  # noqa: E402, F401  (routes attach themselves to bp)
