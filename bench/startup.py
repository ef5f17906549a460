"""Benchmark 6: how long loading and validating all the course content takes.

Usage: .venv/bin/python bench/startup.py [--runs 7]

Each run is a fresh Python process (as a gunicorn worker or `flask` command starts), which
imports app.content and then times app.content.load_catalogue() on the real content: the first
call (cold: what start-up pays) and then five more in the same process (warm). For context it
also times the whole create_app() in another fresh process.
Target: the cold load under 300 ms (median of the runs).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, tool, write_summary

TARGET_MS = 300.0

PROBE = """
import json, time
t0 = time.perf_counter()
from app.content import load_catalogue
t1 = time.perf_counter()
catalogue = load_catalogue(".")
t2 = time.perf_counter()
warm = []
for _ in range(5):
    s = time.perf_counter(); load_catalogue("."); warm.append(time.perf_counter() - s)
from pathlib import Path
from ruamel.yaml import YAML
texts = [p.read_text() for d in ("modules", "quizzes") for p in sorted(Path(d).glob("*.yaml"))]
s = time.perf_counter()
for text in texts:
    YAML(typ="rt").load(text)
yaml_ms = (time.perf_counter() - s) * 1000
print(json.dumps({"import_ms": (t1 - t0) * 1000, "cold_ms": (t2 - t1) * 1000,
                  "warm_ms": sorted(warm)[2] * 1000, "yaml_rt_parse_ms": yaml_ms,
                  "summary": catalogue.summary()}))
"""

APP_PROBE = """
import json, os, tempfile, time
os.environ.update(RAPPORT_ENV="testing", RAPPORT_INSTANCE_PATH=tempfile.mkdtemp())
t0 = time.perf_counter()
from app import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
print(json.dumps({"create_app_ms": (time.perf_counter() - t0) * 1000}))
"""


def probe(code: str) -> dict:
    done = subprocess.run(
        [tool("python"), "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    runs = [probe(PROBE) for _ in range(args.runs)]
    apps = [probe(APP_PROBE)["create_app_ms"] for _ in range(3)]
    cold = statistics.median(r["cold_ms"] for r in runs)
    figures = {
        "content": runs[0]["summary"],
        "runs": args.runs,
        "load_catalogue_cold_ms_median": round(cold, 1),
        "load_catalogue_cold_ms_min": round(min(r["cold_ms"] for r in runs), 1),
        "load_catalogue_cold_ms_max": round(max(r["cold_ms"] for r in runs), 1),
        "load_catalogue_warm_ms_median": round(statistics.median(r["warm_ms"] for r in runs), 1),
        "import_app_content_ms_median": round(statistics.median(r["import_ms"] for r in runs), 1),
        "create_app_ms_median": round(statistics.median(apps), 1),
        "of_which_yaml_round_trip_parse_ms_median": round(
            statistics.median(r["yaml_rt_parse_ms"] for r in runs), 1
        ),
        "target_ms": TARGET_MS,
        "target_met": cold < TARGET_MS,
    }
    print(
        f"load_catalogue: cold {cold:.0f} ms (median of {args.runs} fresh processes; "
        f"min {figures['load_catalogue_cold_ms_min']:.0f}, max "
        f"{figures['load_catalogue_cold_ms_max']:.0f}), warm "
        f"{figures['load_catalogue_warm_ms_median']:.0f} ms; importing app.content "
        f"{figures['import_app_content_ms_median']:.0f} ms; whole create_app "
        f"{figures['create_app_ms_median']:.0f} ms; parsing the YAML alone (ruamel round-trip) "
        f"{figures['of_which_yaml_round_trip_parse_ms_median']:.0f} ms"
    )
    print(f"  {'PASS' if figures['target_met'] else 'MISS'}  cold load < {TARGET_MS:.0f} ms")
    write_summary("startup", figures)


if __name__ == "__main__":
    main()
