from flask import current_app

from app.content import Catalogue


def get_catalogue() -> Catalogue:
    """The course content loaded and validated when the app started."""
    return current_app.extensions["rapport_catalogue"]
