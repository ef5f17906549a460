"""Every JSON shape the API returns, in one place; views and services hand these functions
dataclasses and rows, never dicts of their own."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from flask.json.provider import DefaultJSONProvider


def iso_utc(moment: datetime | None) -> str | None:
    """A stored (naive UTC) or aware datetime as ISO 8601 with a trailing Z; None stays None."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat() + "Z"


class JSONProvider(DefaultJSONProvider):
    """The app's JSON: a datetime left in a response is written by iso_utc, a date as ISO 8601
    (Flask's default would write both as an HTTP date). The data-rights export relies on it:
    its rows are whatever its tables hold."""

    def loads(self, s: str | bytes, **kwargs: object) -> object:
        """Parse JSON, refusing (ValueError, so a 400) what would otherwise fail later with a
        500: nesting too deep for Python's parser, and lone surrogates ("\\ud800") that no
        database can store."""
        try:
            value = super().loads(s, **kwargs)
            json.dumps(value, ensure_ascii=False).encode()
        except RecursionError:
            raise ValueError("The JSON is nested too deeply.") from None
        except UnicodeEncodeError:
            raise ValueError("The JSON holds a lone surrogate (not a character).") from None
        return value

    @staticmethod
    def default(o: object) -> object:
        if isinstance(o, datetime):
            return iso_utc(o)
        if isinstance(o, date):
            return o.isoformat()
        return DefaultJSONProvider.default(o)
