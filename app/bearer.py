"""`Authorization: Bearer <token>`, read once for every route that accepts an API token (the API
and the certificate PDF). Not a blueprint: blueprints never import each other."""

from __future__ import annotations

from flask import request

from app.db import write_apart
from app.models import User
from app.services import accounts


def bearer_sent() -> bool:
    """Whether the request carries an `Authorization: Bearer …` header at all."""
    scheme, _, _ = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer"


def bearer_user() -> User | None:
    """The active owner of the request's bearer token, noting the token's use; None otherwise."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    found = accounts.api_token_owner(token.strip()) if scheme.lower() == "bearer" else None
    if found is None:
        return None
    token_row, user = found
    use = accounts.api_token_use(token_row)
    if use is not None:
        # Apart from the request's unit of work (see app.db.write_apart): most API calls are
        # reads, which neither commit nor take SQLite's write lock, and a use counts even when
        # the request then fails. Once an hour per token at most, so the extra commit is rare.
        write_apart(use)
    return user
