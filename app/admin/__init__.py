"""Administrators' pages: every account, its role, and whether it may sign in."""

from flask import Blueprint

# The pages kept the addresses they had under the trainer area: /trainer/users/…
bp = Blueprint("admin", __name__, url_prefix="/trainer/users")

from app.admin import routes  # noqa: E402, F401  (routes attach themselves to bp)
