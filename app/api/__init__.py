"""JSON API v1: Bearer tokens only, the same services as the HTML views."""

# Importing the route modules attaches their views to bp.
from app.api import certificates, cohorts, content, invitations, routes
from app.api.blueprint import bp

__all__ = ["bp", "certificates", "cohorts", "content", "invitations", "routes"]
