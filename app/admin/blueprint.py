"""The `admin` blueprint object, which the route modules attach their views to."""

from flask import Blueprint

# The pages kept the addresses they had under the trainer area: /trainer/users/…
bp = Blueprint("admin", __name__, url_prefix="/trainer/users")
