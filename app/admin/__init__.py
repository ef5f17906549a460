"""Administrators' pages: every account, its role, and whether it may sign in."""

# Importing the route modules attaches their views to bp.
from app.admin import routes
from app.admin.blueprint import bp

__all__ = ["bp", "routes"]
