"""Benchmark 3: the cohort report (JSON API and HTML page) for 100, 1,000 and 10,000 learners.

Usage: .venv/bin/python bench/cohort_report.py [--db sqlite|postgresql|both]
           [--sizes 100,1000,10000] [--repeat 15]
           [--api-path /api/v1/cohorts/{id}/report] [--html-path /trainer/cohorts/{id}]

For each database and size: a fresh database (`flask --app run db upgrade`), one cohort whose
learners read every lesson and took every quiz (bench/cohort_data.py, bulk inserts), gunicorn
with 2 sync workers, then the cohort's trainer asks for the report `--repeat` times, one request
at a time (after two warm-up requests), through the API (Bearer token) and the HTML page
(logged-in session): first "fresh", with one new row stored before each request so that the
report's per-process cache cannot answer (the figures the targets apply to), then "cached",
the same data asked again. Prints median, p95 and the largest response per size, the 10k/1k
ratio, and a JSON summary. Targets: under 300 ms at 10,000 learners, 10,000/1,000 ratio under 8.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import (
    Connection,
    app_environment,
    fresh_database,
    gunicorn,
    in_app,
    login,
    upgrade_schema,
    write_summary,
)

TARGET_MS = 300.0
TARGET_RATIO = 8.0


def prepare(env: dict[str, str], learners: int) -> dict:
    from cohort_data import generate

    from app.extensions import db
    from app.models import User
    from app.services import accounts

    app = in_app(env)
    with app.app_context():
        made = generate(learners)
        trainer = accounts.user_by_email(made["trainer_email"])
        assert isinstance(trainer, User)
        made["token"] = accounts.issue_api_token(trainer, "bench")
        db.session.commit()
        db.engine.dispose()
    return made


def invalidator(env: dict[str, str]):
    """A function that stores one new lesson read (a learner re-opens a lesson), so that the
    next report is computed afresh: the report cache is keyed on the newest rows."""
    from sqlalchemy import create_engine, delete, insert, select

    from app.models import LessonRead

    engine = create_engine(env["DATABASE_URL"])

    def touch() -> None:
        with engine.begin() as connection:
            row = connection.execute(
                # The oldest row: SQLite gives the new row max(id) + 1, a new newest id.
                select(LessonRead).order_by(LessonRead.id).limit(1)
            ).one()
            connection.execute(delete(LessonRead).where(LessonRead.id == row.id))
            connection.execute(
                insert(LessonRead).values(
                    user_id=row.user_id,
                    module_id=row.module_id,
                    lesson_id=row.lesson_id,
                    first_read_at=row.first_read_at,
                )
            )

    return touch, engine


async def timed(
    port: int,
    path: str,
    headers: dict[str, str],
    repeat: int,
    before_each: Callable[[], None] | None = None,
) -> dict:
    connection = Connection(port)
    for _ in range(2):
        response = await connection.request("GET", path, headers=headers)
        if response.status != 200:
            await connection.close()
            return {"status": response.status, "available": False}
    times, size = [], 0
    for _ in range(repeat):
        if before_each is not None:
            before_each()
        started = time.perf_counter()
        response = await connection.request("GET", path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        size = max(size, len(response.body))
        if response.status != 200:
            await connection.close()
            return {"status": response.status, "available": False}
    await connection.close()
    ordered = sorted(times)
    return {
        "available": True,
        "status": 200,
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * len(ordered) + 0.5) - 1)], 1),
        "min_ms": round(ordered[0], 1),
        "bytes": size,
    }


def run_size(kind: str, learners: int, args: argparse.Namespace) -> dict:
    with fresh_database(kind) as database:
        env = app_environment(database)
        upgrade_schema(env)
        made = prepare(env, learners)
        print(
            f"  {kind} {learners:>6} learners: generated {made['rows']} in {made['seconds']} s",
            flush=True,
        )
        touch, engine = invalidator(env)
        with gunicorn(env) as server:
            cohort = made["cohort_id"]
            api_path = args.api_path.format(id=cohort)
            html_path = args.html_path.format(id=cohort)
            bearer = {"Authorization": f"Bearer {made['token']}"}
            cookie = asyncio.run(
                login(server.port, made["trainer_email"], made["trainer_password"])
            )
            session = {"Cookie": cookie}
            results = {
                # Fresh: one new row before each request, so the report is computed every time.
                "api": asyncio.run(timed(server.port, api_path, bearer, args.repeat, touch)),
                "html": asyncio.run(timed(server.port, html_path, session, args.repeat, touch)),
                # Cached: the same data again (each worker keeps its own copy for a while).
                "api_cached": asyncio.run(timed(server.port, api_path, bearer, args.repeat)),
                "html_cached": asyncio.run(timed(server.port, html_path, session, args.repeat)),
            }
        engine.dispose()
    for label, result in results.items():
        if result["available"]:
            print(
                f"  {kind} {learners:>6} {label:<12} median {result['median_ms']:>7.1f} ms  "
                f"p95 {result['p95_ms']:>7.1f} ms  {result['bytes']:>9} bytes",
                flush=True,
            )
        else:
            print(f"  {kind} {learners:>6} {label:<12} not available: HTTP {result['status']}")
    return {"learners": learners, "rows": made["rows"], **results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--api-path", default="/api/v1/cohorts/{id}/report")
    parser.add_argument("--html-path", default="/trainer/cohorts/{id}")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    summary: dict = {"paths": {"api": args.api_path, "html": args.html_path}}
    for kind in kinds:
        print(f"\n== {kind}", flush=True)
        runs = []
        for n in sizes:
            runs.append(run_size(kind, n, args))
            if not (runs[-1]["api"]["available"] or runs[-1]["html"]["available"]):
                print("  the report endpoints do not answer 200: larger sizes skipped")
                break
        figures: dict = {"runs": runs, "targets_met": {}}
        largest = runs[-1]
        for channel in ("api", "html"):
            if len(runs) < len(sizes) or not all(r[channel]["available"] for r in runs):
                figures["targets_met"][channel] = None
                continue
            at = {r["learners"]: r[channel]["median_ms"] for r in runs}
            ok_time = largest[channel]["median_ms"] < TARGET_MS
            figures["targets_met"][f"{channel} < {TARGET_MS:.0f} ms at {largest['learners']}"] = (
                ok_time
            )
            if 1000 in at and 10000 in at:
                ratio = at[10000] / at[1000]
                figures[f"{channel}_ratio_10k_1k"] = round(ratio, 2)
                figures["targets_met"][f"{channel} 10k/1k ratio < {TARGET_RATIO:.0f}"] = (
                    ratio < TARGET_RATIO
                )
        for name, ok in figures["targets_met"].items():
            if ok is not None:
                print(f"  {'PASS' if ok else 'MISS'}  {name}")
        summary[kind] = figures
    write_summary("cohort_report", summary)


if __name__ == "__main__":
    main()
