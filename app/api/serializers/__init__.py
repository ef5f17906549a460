"""Every JSON shape the API returns, in one place; views and services hand these functions
dataclasses and rows, never dicts of their own."""

from __future__ import annotations

from datetime import UTC, datetime


def iso_utc(moment: datetime | None) -> str | None:
    """A stored (naive UTC) or aware datetime as ISO 8601 with a trailing Z; None stays None."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat() + "Z"
