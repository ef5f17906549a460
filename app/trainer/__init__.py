"""Trainers' pages: cohorts, their members, reports and exports."""

# Importing the route modules attaches their views to bp.
from app.trainer import routes
from app.trainer.blueprint import bp

__all__ = ["bp", "routes"]
