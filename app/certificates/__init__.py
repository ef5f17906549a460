"""Certificates outside the course: the public verify page, the PDF, and revoking (issue 13)."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)

from app.certificates import routes  # noqa: E402, F401
