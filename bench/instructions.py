"""Benchmark 9: instructions per request in the worker, counted by valgrind's callgrind.

Usage: .venv/bin/python bench/instructions.py [--db sqlite|postgresql] [--only healthz,lesson,submit]

CPU seconds per request (bench/request_cost.py) move by ±25 % with whatever else the machine is
doing; an instruction count does not, so a change of a few per cent can be told from noise. The
script runs itself again under `valgrind --tool=callgrind --instr-atstart=no` (Debian's valgrind
package), builds the same requests as request_cost.py (fresh database, a learner logged in through
the real form, another with an API token), warms each one up with counting off, then counts 5 and
25 requests with counting on: (count of 25 − count of 5) ÷ 20 leaves out what the switching costs.
The PostgreSQL server's own work is not counted (it is another process). About 2 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
INNER = "RAPPORT_CALLGRIND_INNER"
BLOCKS = (5, 25)
BARE_POST = {
    "path": "/echo",
    "method": "POST",
    "data": '{"a": 1}',
    "content_type": "application/json",
}


def _control(*args: str) -> None:
    subprocess.run(["callgrind_control", *args, str(os.getpid())], check=True, capture_output=True)


def inner(db: str, only: list[str], out: Path) -> None:
    """Under valgrind: warm up, then dump the counts of 5 and 25 requests of each kind."""
    from _common import app_environment, fresh_database, upgrade_schema
    from request_cost import HARNESS, caller, rapport_requests

    sys.path.insert(0, str(HARNESS))
    import hello_app

    with fresh_database(db) as database:
        env = app_environment(database)
        upgrade_schema(env)
        os.environ.update(env)
        from app import create_app

        app = create_app()
        requests = {
            "bare GET": (hello_app.app, {"path": "/"}, 200),
            "bare POST": (hello_app.app, BARE_POST, 200),
            **{name: (app, *value) for name, value in rapport_requests(app).items()},
        }
        names = []
        for name in ["bare GET", "bare POST", *only]:
            target, request, status = requests[name]
            call = caller(target, request)
            for _ in range(30):
                if not call().startswith(str(status)):
                    raise SystemExit(f"{name}: expected {status}")
            for block in BLOCKS:
                _control("--zero")
                _control("--instr=on")
                for _ in range(block):
                    call()
                _control("--instr=off")
                _control(f"--dump={name.replace(' ', '_')}-{block}")
            names.append(name)
    out.write_text(json.dumps(names))


def totals(folder: Path) -> dict[str, int]:
    """Instructions in each dump, by its label."""
    found = {}
    for path in folder.glob("callgrind.out.*"):
        label = total = None
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("desc: Trigger: "):  # "desc: Trigger: Client Request: dump <hint>"
                label = line.rsplit(":", 1)[-1].strip().removeprefix("dump ")
            if line.startswith("totals:") or line.startswith("summary:"):
                total = int(line.split()[1])
        if label and total is not None:
            found[label] = total
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--only", default="healthz,lesson,submit")
    args = parser.parse_args()
    only = [name for name in args.only.split(",") if name]
    if os.environ.get(INNER):
        inner(args.db, only, Path(os.environ[INNER]))
        return
    with tempfile.TemporaryDirectory(prefix="rapport-callgrind-") as folder:
        names_file = Path(folder) / "names.json"
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={folder}/callgrind.out.%p",
                sys.executable,
                __file__,
                "--db",
                args.db,
                "--only",
                ",".join(only),
            ],
            env=dict(os.environ, **{INNER: str(names_file)}),
            check=True,
            capture_output=True,
        )
        counted = totals(Path(folder))
        measured = json.loads(names_file.read_text())
    per_request = {}
    for name in measured:
        label = name.replace(" ", "_")
        small, large = counted.get(f"{label}-{BLOCKS[0]}"), counted.get(f"{label}-{BLOCKS[1]}")
        if small is None or large is None:
            raise SystemExit(f"no counts for {name}: {sorted(counted)}")
        per_request[name] = (large - small) / (BLOCKS[1] - BLOCKS[0])
    for name, count in per_request.items():
        bare = per_request["bare POST" if name in ("bare POST", "submit") else "bare GET"]
        print(
            f"  {args.db:10s} {name:10s} {count / 1e6:6.2f} M instructions per request"
            f"  bare/this {bare / count:6.1%}"
        )
    print(json.dumps({"db": args.db, "instructions_per_request": per_request}, indent=2))
    Path(ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / f"instructions-{args.db}.json").write_text(
        json.dumps(per_request, indent=2)
    )


if __name__ == "__main__":
    main()
