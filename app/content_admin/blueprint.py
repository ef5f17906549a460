"""The `content_admin` blueprint object, which the route module attaches its views to."""

from flask import Blueprint

bp = Blueprint("content_admin", __name__, url_prefix="/admin/content")
