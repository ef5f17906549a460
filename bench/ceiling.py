"""Benchmark 7: Rapport beside a bare Flask app, with the shared harness (../shared/bench-ceiling/).

Usage: .venv/bin/python bench/ceiling.py [--db sqlite|postgresql|both] [--harness DIR]

Runs `rapport_side_by_side.sh` against this checkout for each database (same gunicorn settings,
same wrk load, one sitting: bare Flask GET/POST, `/healthz`, the lesson page as a logged-in
learner, the same lesson through the API, quiz submissions at 8 and 32 connections; 3 × 15 s
each, about 8 minutes per database), then prints the harness's table, the ratios issue 15 sets
targets for, the date and the machine's load, and writes them to bench/results/ceiling.json.
Needs `wrk` (`apt-get install -y wrk`) and the checkout's `.venv` with gunicorn.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {  # request: (share of bare Flask on SQLite, on PostgreSQL)
    "healthz": (0.70, 0.50),
    "lesson HTML": (0.40, 0.30),
    "submit c8": (0.15, 0.12),
}
SUBMIT_C32_OF_C8 = 0.85


def medians(results: Path) -> dict[str, float]:
    found = {}
    for path in results.glob("*.json"):
        found[path.stem] = json.loads(path.read_text())["summary"]["rps"]["median"]
    return found


def shares(rps: dict[str, float]) -> dict[str, float]:
    get, post = rps["hello_get_c8"], rps["hello_post_c8"]
    return {
        "healthz": rps["healthz_c8"] / get,
        "lesson HTML": rps["lesson_c8"] / get,
        "lesson API": rps["lesson_api_c8"] / get,
        "submit c8": rps["submit_c8"] / post,
        "submit c32": rps["submit_c32"] / rps["hello_post_c32"],
        "submit c32 / c8": rps["submit_c32"] / rps["submit_c8"],
    }


def run(db: str, harness: Path) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"rapport-ceiling-{db}-"))
    try:
        script = harness / "rapport_side_by_side.sh"
        done = subprocess.run(
            ["bash", str(script), str(ROOT), str(work), db], capture_output=True, text=True
        )
        print(done.stdout, end="")
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            raise SystemExit(f"the harness failed on {db} (exit {done.returncode})")
        rps = medians(work / "results")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ratio = shares(rps)
    column = 0 if db == "sqlite" else 1
    for name, value in ratio.items():
        target = TARGETS.get(name, (None, None))[column]
        if name == "submit c32 / c8":
            target = SUBMIT_C32_OF_C8
        verdict = (
            "" if target is None else (" met" if value >= target else f" MISS (≥ {target:.0%})")
        )
        print(f"  {db:10s} {name:16s} {value:6.1%}{verdict}")
    return {"rps": rps, "shares": ratio}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--harness", type=Path, default=ROOT.parent / "shared" / "bench-ceiling")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    if not (args.harness / "rapport_side_by_side.sh").exists():
        raise SystemExit(f"the shared harness is not at {args.harness}")
    started = datetime.now(UTC).isoformat(timespec="minutes")
    load_before = os.getloadavg()
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    figures = {db: run(db, args.harness) for db in dbs}
    summary = {
        "started": started,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "cpus": os.cpu_count(),
        "figures": figures,
    }
    out = ROOT / "bench" / "results" / "ceiling.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
