"""Benchmark 8: CPU time per request inside the worker, Rapport against a bare Flask app.

Usage: .venv/bin/python bench/request_cost.py [--db sqlite|postgresql] [--requests 2000]
           [--profile healthz|lesson|submit]

Calls each app's WSGI callable directly (no server, no sockets) and divides the process's CPU
time by the requests: the cost the app itself adds, which moves little with outside load (the
shared harness's requests per second, bench/ceiling.py, swing with every other process on the
machine). Measured: the bare app's `GET /` and `POST /echo` (../shared/bench-ceiling/hello_app.py,
or the folder RAPPORT_BENCH_CEILING names), `GET /healthz`, the trust-formula lesson page as a
logged-in learner (production settings, HTTPS cookies), and API submissions of the
trust-formula check. `--profile` adds cProfile's top functions for one of them (PROFILE_FILTER,
a regular expression, and PROFILE_LINES narrow the list): where the fixed cost goes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder, run_wsgi_app

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import app_environment, fresh_database, upgrade_schema

ROOT = Path(__file__).resolve().parent.parent
# The shared harness's folder; RAPPORT_BENCH_CEILING points elsewhere (a git worktree's parent
# has no shared/ beside it).
HARNESS = Path(os.environ.get("RAPPORT_BENCH_CEILING") or ROOT.parent / "shared" / "bench-ceiling")
PASSWORD = "bench password for learners"  # noqa: S105 - throwaway accounts in a temporary database


def caller(app: Callable, request: dict[str, Any]) -> Callable[[], str]:
    """One request through the app's WSGI callable; returns the status line."""
    environ = EnvironBuilder(**request).get_environ()
    body = request.get("data")

    def call() -> str:
        fresh = dict(environ)
        if body is not None:
            fresh["wsgi.input"] = io.BytesIO(body.encode())
        chunks, status, _headers = run_wsgi_app(app, fresh)
        b"".join(chunks)
        return status

    return call


def cpu_per_request(call: Callable[[], str], requests: int, expected: int = 200) -> float:
    """Microseconds of CPU per request, after a warm-up."""
    status = call()
    if not status.startswith(str(expected)):
        raise SystemExit(f"expected {expected}, got {status}")
    for _ in range(50):
        call()
    started = time.process_time()
    for _ in range(requests):
        call()
    return (time.process_time() - started) / requests * 1e6


def rapport_requests(app: Any) -> dict[str, tuple[dict[str, Any], int]]:
    """Log a learner in (the real form), give another an API token; the requests to measure."""
    from app.extensions import db
    from app.services import accounts

    with app.app_context():
        for n in range(2):
            accounts.create_user(f"cost{n}@example.com", f"Cost {n}", PASSWORD)
        db.session.flush()
        token = accounts.issue_api_token(accounts.user_by_email("cost1@example.com"), "bench")
        db.session.commit()
    client, site = app.test_client(), "https://localhost"
    page = client.get(site + "/auth/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    login = client.post(
        site + "/auth/login",
        headers={"Referer": site + "/auth/login"},
        data={"csrf_token": csrf, "email": "cost0@example.com", "password": PASSWORD},
    )
    if login.status_code != 302:
        raise SystemExit(f"could not log in: {login.status_code}")
    cookie = "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())
    bearer = {"Authorization": "Bearer " + token}
    quiz = client.get(site + "/api/v1/quizzes/trust-formula-check", headers=bearer).get_json()
    answers = {}
    for question in quiz["questions"]:
        ids = [o["id"] for o in question["options"]]
        answers[question["id"]] = {"single": ids[:1], "multiple": ids[:2]}.get(
            question["kind"], ids
        )
    return {
        "healthz": ({"path": "/healthz"}, 200),
        "lesson": (
            {
                "path": "/modules/trust-formula/lessons/the-trust-formula",
                "base_url": site,
                "headers": {"Cookie": cookie},
            },
            200,
        ),
        "submit": (
            {
                "path": "/api/v1/quizzes/trust-formula-check/attempts",
                "method": "POST",
                "data": json.dumps({"answers": answers}),
                "content_type": "application/json",
                "headers": bearer,
            },
            201,
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", choices=["healthz", "lesson", "submit"])
    args = parser.parse_args()
    sys.path.insert(0, str(HARNESS))
    import hello_app

    bare_get = cpu_per_request(caller(hello_app.app, {"path": "/"}), args.requests)
    echo = {
        "path": "/echo",
        "method": "POST",
        "data": '{"a": 1}',
        "content_type": "application/json",
    }
    bare_post = cpu_per_request(caller(hello_app.app, echo), args.requests)
    with fresh_database(args.db) as database:
        env = app_environment(database)
        upgrade_schema(env)
        os.environ.update(env)
        from app import create_app

        app = create_app()
        measured = {"bare GET": bare_get, "bare POST": bare_post}
        requests = rapport_requests(app)
        for name, (request, status) in requests.items():
            count = args.requests if name != "submit" else max(100, args.requests // 10)
            measured[name] = cpu_per_request(caller(app, request), count, status)
        for name, micros in measured.items():
            bare = bare_post if name in ("bare POST", "submit") else bare_get
            print(
                f"  {args.db:10s} {name:10s} {micros:7.0f} µs CPU per request  bare/this {bare / micros:6.1%}"
            )
        if args.profile:
            request, status = requests[args.profile]
            profiler = cProfile.Profile()
            profiler.enable()
            cpu_per_request(caller(app, request), max(100, args.requests // 10), status)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(
                os.environ.get("PROFILE_FILTER", ""), int(os.environ.get("PROFILE_LINES", "40"))
            )
    print(json.dumps({"db": args.db, "cpu_us_per_request": measured}, indent=2))


if __name__ == "__main__":
    main()
