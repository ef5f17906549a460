"""Administrators' page on changed content: what an edit did to stored answers, and the
decisions taken about them (the same service as `flask --app run content impact|decide`)."""

from app.content_admin import routes
from app.content_admin.blueprint import bp

__all__ = ["bp", "routes"]
