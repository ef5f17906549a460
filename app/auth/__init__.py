# Importing the route modules attaches their views to bp.
from app.auth import recovery, routes
from app.auth.blueprint import bp

__all__ = ["bp", "recovery", "routes"]
