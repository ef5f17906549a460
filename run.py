"""Entry point: `flask --app run …` for the CLI, `python run.py` for a development server."""

import gc
import os
import sys

from app import create_app
from app.content import ContentError, QuestionKindsIncomplete
from config import ConfigError

try:
    app = create_app()
except ContentError as error:
    print("Rapport cannot start: the course content has problems:", file=sys.stderr)
    for problem in error.problems:
        print(problem, file=sys.stderr)
    sys.exit(1)
except QuestionKindsIncomplete as error:
    print("Rapport cannot start: a question kind is incomplete:", file=sys.stderr)
    for problem in error.problems:
        print(problem, file=sys.stderr)
    sys.exit(1)
except ConfigError as error:
    print(f"Rapport cannot start: {error}", file=sys.stderr)
    sys.exit(1)

# What the app built at start (the course content, templates, routes) lives as long as the process:
# frozen, the garbage collector's full passes stop walking it again and again while requests run
# (a tenth of the lesson page's time, bench/README.md, issue 15).
gc.freeze()

if __name__ == "__main__":
    app.run(
        host=os.environ.get("RAPPORT_HOST", "127.0.0.1"),
        port=int(os.environ.get("RAPPORT_PORT", "5000")),
        debug=False,
    )
