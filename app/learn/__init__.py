# Importing the route modules attaches their views to bp.
from app.learn import join, routes
from app.learn.blueprint import bp

__all__ = ["bp", "join", "routes"]
