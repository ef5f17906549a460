"""The caller's account in the API: API tokens."""

from __future__ import annotations

from typing import Any

from app.models import ApiToken
from app.serializers import iso_utc


def token_json(token: ApiToken) -> dict[str, Any]:
    """A token as its owner may see it: never the token itself, which only its hash records."""
    return {
        "id": token.id,
        "label": token.label,
        "created_at": iso_utc(token.created_at),
        "last_used_at": iso_utc(token.last_used_at),
        "expires_at": iso_utc(token.expires_at),
    }
