"""The app exactly as `run:app` serves it, plus one trivial JSON POST endpoint to compare with.

Only the benchmarks serve this module (gunicorn 'bench.wsgi:app'); the trivial GET they compare
with is the app's own /healthz.
"""

from flask import jsonify, request

from app.extensions import csrf
from run import app


@app.post("/bench/echo")
@csrf.exempt
def bench_echo():
    """Parse a JSON body and answer with a small JSON object: no database, no templates."""
    body = request.get_json(silent=True)
    return jsonify(ok=True, keys=len(body) if isinstance(body, dict) else 0), 201
