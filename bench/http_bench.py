"""Benchmarks 1, 2 and 4: the lesson page, quiz submission through the API, and worker memory.

Usage: .venv/bin/python bench/http_bench.py [--db sqlite|postgresql|both] [--seconds 12]
           [--rounds 3] [--paced-interval 1.0]

For each database: a fresh database whose schema is built by `flask --app run db upgrade`,
learners created through the app's services, gunicorn with 2 sync workers on 127.0.0.1 (with
gunicorn.conf.py when there is one), then:
  1. GET a lesson page (16 logged-in learners) next to GET /healthz, same server, same run;
  2. POST quiz attempts through the API (8 and 32 learners, each with their own token) next to
     a trivial JSON POST (/bench/echo); every 201 must be an attempt row at the end; then 32
     learners paced at one submission each per `--paced-interval` seconds;
  4. the resident memory (VmRSS) of each gunicorn worker after all of that (and the peak seen).
Each comparison alternates the two sides in `--rounds` slices, so a burst of load from elsewhere
on the machine hits both; the workers' CPU time per request is reported too, as a figure that
depends little on such bursts. Prints one line per run and a JSON summary (bench/results/).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import (
    app_environment,
    fresh_database,
    gunicorn,
    in_app,
    interleaved,
    load,
    load_average,
    login,
    upgrade_schema,
    write_summary,
)

PASSWORD = "bench password for every learner"  # noqa: S105 - throwaway accounts in a throwaway db
LESSON = ("trust-formula", "the-trust-formula")
QUIZ = "five-steps-check"  # ordering, single and multiple choice: 9 questions
READERS = 16
SUBMITTERS = (8, 32)
TARGETS = {
    "lesson_vs_trivial_min": 0.60,
    "submit_vs_trivial_post_min": 0.15,
    "submit_p95_ms_at_32_max": 50.0,
    "worker_rss_mb_max": 120.0,
}


def create_learners(env: dict[str, str], count: int) -> list[tuple[str, str]]:
    """`count` learners, each with an API token, made through the app's own services."""
    from app.extensions import db
    from app.services import accounts

    app = in_app(env)
    made = []
    with app.app_context():
        password_hash = accounts.hash_password(PASSWORD)
        for index in range(count):
            user = accounts.create_user(f"bench{index}@example.com", f"Bench {index}", None)
            user.password_hash = password_hash  # one scrypt for all: setup speed only
            made.append((user.email, accounts.issue_api_token(user, "bench")))
        db.session.commit()
        db.engine.dispose()
    return made


def answer_bodies(env: dict[str, str], count: int = 32) -> list[bytes]:
    """Realistic submissions: each question right or wrong at random, ordering shuffled."""
    app = in_app(env)
    quiz = app.extensions["rapport_catalogue"].quiz(QUIZ)
    rng = random.Random(5)
    bodies = []
    for _ in range(count):
        answers = {}
        for question in quiz.questions:
            if question.kind == "ordering":
                order = list(question.correct_order)
                if rng.random() < 0.5:
                    rng.shuffle(order)
                answers[question.id] = order
            elif question.kind == "multiple":
                right = question.correct_option_ids
                answers[question.id] = right if rng.random() < 0.7 else right[:1]
            else:
                options = [o.id for o in question.options]
                right = question.correct_option_ids
                answers[question.id] = right if rng.random() < 0.7 else [rng.choice(options)]
        bodies.append(json.dumps({"answers": answers}).encode())
    return bodies


def count_rows(env: dict[str, str]) -> dict[str, int]:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Answer, Attempt

    app = in_app(env)
    with app.app_context():
        counts = {
            "attempts": db.session.scalar(select(func.count()).select_from(Attempt)),
            "answers": db.session.scalar(select(func.count()).select_from(Answer)),
        }
        db.engine.dispose()
    return counts


def run_one(
    kind: str, seconds: float, rounds: int, paced_interval: float, recycle: bool = True
) -> dict:
    print(f"\n== {kind} (load average before: {load_average()})", flush=True)
    with fresh_database(kind) as database:
        env = app_environment(database)
        upgrade_schema(env)
        learners = create_learners(env, READERS + sum(SUBMITTERS))
        bodies = answer_bodies(env)
        with gunicorn(env, extra_args=None if recycle else ["--max-requests", "0"]) as server:
            port = server.port
            readers = learners[:READERS]
            cookies = asyncio.run(_login_all(port, [email for email, _ in readers]))
            lesson_path = f"/modules/{LESSON[0]}/lessons/{LESSON[1]}"
            json_headers = {"Content-Type": "application/json"}

            def healthz(_client: int, _n: int):
                return "GET", "/healthz", b"", {}

            def lesson(client: int, _n: int):
                return "GET", lesson_path, b"", {"Cookie": cookies[client]}

            def echo(_client: int, _n: int):
                return "POST", "/bench/echo", bodies[0], json_headers

            warm = min(2.0, seconds / 4)
            load(port, healthz, READERS, warm)
            load(port, lesson, READERS, warm)
            results = {}
            got = interleaved(
                port,
                [("GET /healthz", healthz, (200,)), ("GET lesson page", lesson, (200,))],
                READERS,
                seconds,
                rounds,
                server,
            )
            results["trivial_get"], results["lesson"] = got["GET /healthz"], got["GET lesson page"]
            for result in got.values():
                print(result.line(), flush=True)

            created = 0
            offset = READERS
            for concurrency in SUBMITTERS:
                tokens = [token for _, token in learners[offset : offset + concurrency]]
                offset += concurrency

                def submit(client: int, n: int, tokens=tokens):
                    headers = {**json_headers, "Authorization": f"Bearer {tokens[client]}"}
                    body = bodies[(client + n) % len(bodies)]
                    return "POST", f"/api/v1/quizzes/{QUIZ}/attempts", body, headers

                load(port, echo, concurrency, warm, expect=(201,))
                warmup = load(port, submit, concurrency, warm, expect=(201,))
                created += warmup.statuses.get(201, 0)
                got = interleaved(
                    port,
                    [
                        ("POST /bench/echo", echo, (201,)),
                        ("POST quiz attempt (API)", submit, (201,)),
                    ],
                    concurrency,
                    seconds,
                    rounds,
                    server,
                )
                results[f"trivial_post_c{concurrency}"] = got["POST /bench/echo"]
                results[f"submit_c{concurrency}"] = got["POST quiz attempt (API)"]
                created += got["POST quiz attempt (API)"].statuses.get(201, 0)
                for result in got.values():
                    print(result.line(), flush=True)

            # 32 learners who each submit once every `paced_interval` seconds (far more often
            # than people finish quizzes): latency without a queue built by the load tool itself.
            paced = load(
                port,
                submit,
                SUBMITTERS[-1],
                seconds,
                expect=(201,),
                label="POST quiz attempt (API), paced",
                server=server,
                interval=paced_interval,
            )
            results["submit_c32_paced"] = paced
            created += paced.statuses.get(201, 0)
            print(paced.line(), f"[{SUBMITTERS[-1] / paced_interval:.0f} submissions/s offered]")
            workers = server.worker_rss_mb()
            peak_rss = server.peak_rss_mb
            recycled = server.log.read_text().count("Autorestarting worker")
        rows = count_rows(env)

    questions = len(json.loads(bodies[0])["answers"])
    summary = {name: result.summary() for name, result in results.items()}
    errors = sum(sum(r.errors.values()) for r in results.values())

    def cpu(name: str) -> float:
        return summary[name]["worker_cpu_ms_per_request"]

    lesson_ratio = results["lesson"].rps / results["trivial_get"].rps
    submit_ratios = {
        c: results[f"submit_c{c}"].rps / results[f"trivial_post_c{c}"].rps for c in SUBMITTERS
    }
    figures = {
        "lesson_vs_trivial": round(lesson_ratio, 3),
        "lesson_vs_trivial_by_cpu": round(cpu("trivial_get") / cpu("lesson"), 3),
        **{f"submit_vs_trivial_post_c{c}": round(r, 3) for c, r in submit_ratios.items()},
        **{
            f"submit_vs_trivial_post_c{c}_by_cpu": round(
                cpu(f"trivial_post_c{c}") / cpu(f"submit_c{c}"), 3
            )
            for c in SUBMITTERS
        },
        "submit_p95_ms_c32": summary["submit_c32"]["p95_ms"],
        "submit_p95_ms_c32_paced": summary["submit_c32_paced"]["p95_ms"],
        "paced_submissions_per_second_offered": round(SUBMITTERS[-1] / paced_interval, 1),
        "errors": errors,
        "attempts_created": created,
        "attempt_rows": rows["attempts"],
        "answer_rows": rows["answers"],
        "every_attempt_stored": rows["attempts"] == created
        and rows["answers"] == created * questions,
        "worker_rss_mb": workers,
        "worker_rss_mb_peak_seen": peak_rss,
        "workers_recycled_by_max_requests": recycled,
        "load_average_after": load_average(),
    }
    checks = {
        "lesson >= 60% of trivial GET": lesson_ratio >= TARGETS["lesson_vs_trivial_min"],
        "submission >= 15% of trivial POST (8 and 32)": all(
            r >= TARGETS["submit_vs_trivial_post_min"] for r in submit_ratios.values()
        ),
        "submission p95 < 50 ms at 32 (back-to-back)": figures["submit_p95_ms_c32"]
        < TARGETS["submit_p95_ms_at_32_max"],
        "submission p95 < 50 ms at 32 (paced)": figures["submit_p95_ms_c32_paced"]
        < TARGETS["submit_p95_ms_at_32_max"],
        "no error": errors == 0,
        "every attempt stored": figures["every_attempt_stored"],
        "worker RSS < 120 MB (at the end, and the peak seen)": max(peak_rss, *workers.values())
        < TARGETS["worker_rss_mb_max"],
    }
    print(
        f"lesson/trivial {lesson_ratio:.0%} (by worker CPU {figures['lesson_vs_trivial_by_cpu']:.0%})"
        " · submit/trivial POST "
        + ", ".join(f"c={c}: {r:.1%}" for c, r in submit_ratios.items())
        + f" · stored {rows['attempts']}/{created} attempts · worker RSS {workers} MB"
        f" (peak seen {peak_rss} MB; {recycled} worker restarts by max_requests)",
        flush=True,
    )
    for name, ok in checks.items():
        print(f"  {'PASS' if ok else 'MISS'}  {name}")
    return {"runs": summary, "figures": figures, "targets_met": checks}


async def _login_all(port: int, emails: list[str]) -> list[str]:
    return [await login(port, email, PASSWORD) for email in emails]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=12.0, help="timed seconds per scenario")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per comparison")
    parser.add_argument(
        "--paced-interval",
        type=float,
        default=1.0,
        help="seconds between two submissions of one learner in the paced run",
    )
    parser.add_argument(
        "--no-recycle",
        action="store_true",
        help="never restart workers (--max-requests 0), to see how far their memory grows",
    )
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    summary = {
        "workers": 2,
        "worker_class": "sync",
        "seconds_per_scenario": args.seconds,
        "rounds": args.rounds,
        "paced_interval_seconds": args.paced_interval,
        "workers_recycled_every": "never" if args.no_recycle else "gunicorn.conf.py max_requests",
    }
    for kind in kinds:
        summary[kind] = run_one(
            kind, args.seconds, args.rounds, args.paced_interval, not args.no_recycle
        )
    write_summary("http-no-recycle" if args.no_recycle else "http", summary)


if __name__ == "__main__":
    main()
