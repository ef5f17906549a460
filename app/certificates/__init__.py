"""Certificates outside the course: the public verify page, the PDF, and revoking (issue 13)."""

# Importing the route modules attaches their views to bp.
from app.certificates import routes
from app.certificates.blueprint import bp

__all__ = ["bp", "routes"]
