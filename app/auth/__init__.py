# Importing the route modules attaches their views to bp.
from app.auth import routes
from app.auth.blueprint import bp

__all__ = ["bp", "routes"]
