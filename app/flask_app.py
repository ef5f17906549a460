"""Rapport's Flask class: Flask minus work it repeats on every request (checking the same
session cookie, building the same URLs, inspecting the same functions).

Each is a documented extension point, and each only keeps what Flask would work out again the
same way (bench/README.md, issue 15, measured what each saved).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Request
from flask.globals import _cv_request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSIONS_KEPT = 4096
# Session values kept as they were read: immutable, so no request can change another's copy.
_SCALARS = (str, int, float, bool, type(None))


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per key set
    instead of twice per request (opening and saving the session), and a cookie's checked
    contents kept: a browser sends the same cookie on every page until the session changes, and
    checking its signature and decoding it cost a tenth of a lesson page (issue 15)."""

    def __init__(self) -> None:
        self._built_for: tuple[Any, ...] | None = None
        self._serializer: URLSafeTimedSerializer | None = None
        # cookie value -> (its contents, when it was signed), for cookies that passed the check
        self._opened: dict[str, tuple[dict[str, Any], int]] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        # Checked against the keys themselves: a changed SECRET_KEY or fallback list gets a
        # serializer for the new keys (and forgets the cookies the old ones accepted).
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys != self._built_for:
            self._serializer = super().get_signing_serializer(app)
            self._built_for = keys
            self._opened = {}
        return self._serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        opened = self._opened.get(cookie)
        if opened is None:
            try:
                data, signed = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            opened = (data, int(signed.timestamp()))
            if type(data) is dict and all(type(v) in _SCALARS for v in data.values()):
                if len(self._opened) >= SESSIONS_KEPT:
                    self._opened = {}
                self._opened[cookie] = opened
        else:
            # The same check of the signature's age as on the first reading.
            age = int(time.time()) - opened[1]
            if age > max_age or age < 0:
                return self.session_class()
        return self.session_class(opened[0])


URLS_KEPT = 4096


class RapportFlask(Flask):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session_interface = SessionCookies()
        self._built_urls: dict[tuple[Any, ...], str] = {}
        self._sync_callables: dict[Callable[..., Any], Callable[..., Any]] = {}

    def url_for(self, endpoint: str, /, **arguments: Any) -> str:
        """Flask's url_for, with the path it builds for a page kept: a page links to the same
        stylesheet, home and logout form every time, and building each costs more than the rest
        of a small template. Only what the URL depends on is in the key (the mount point, host
        and scheme of the request, the endpoint and its values); URLs with options (_external,
        _anchor…), relative endpoints, non-scalar values or URL defaults are built every time."""
        context = _cv_request.get(None)  # the request itself: each proxy lookup costs
        if (
            context is not None
            and not self.url_default_functions
            and not endpoint.startswith(".")
            and all(
                not name.startswith("_") and type(value) in (str, int)
                for name, value in arguments.items()
            )
        ):
            served = context.request
            key = (
                served.script_root,
                served.host,
                served.scheme,
                endpoint,
                *sorted(arguments.items()),
            )
            url = self._built_urls.get(key)
            if url is None:
                url = super().url_for(endpoint, **arguments)
                if len(self._built_urls) >= URLS_KEPT:
                    self._built_urls.clear()
                self._built_urls[key] = url
            return url
        return super().url_for(endpoint, **arguments)

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Flask asks this for every hook and view of every request (14 a page), and each
        answer inspects the function's code flags; the answer never changes for a function."""
        try:
            return self._sync_callables[func]
        except KeyError:
            synced = self._sync_callables[func] = super().ensure_sync(func)
            return synced
        except TypeError:  # an unhashable callable: ask Flask every time
            return super().ensure_sync(func)
