# Importing the route modules attaches their views to bp.
from app.learn import calculator, join, routes
from app.learn.blueprint import bp

__all__ = ["bp", "calculator", "join", "routes"]
