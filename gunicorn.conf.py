"""Gunicorn settings for Rapport: `gunicorn -c gunicorn.conf.py run:app`.

Every value can be changed through the environment, so the same file serves a laptop, a VM and a
container. See docs/deploying.md.
"""

import os

# Where to listen. Behind a reverse proxy on the same machine, keep the loopback address.
bind = os.environ.get("RAPPORT_BIND", "127.0.0.1:8000").split(",")

# Sync workers: each handles one request at a time, in its own process with its own database
# pool. Rapport's requests are short and mostly wait on the database, so a couple of workers
# per CPU is plenty; WEB_CONCURRENCY is honoured as many platforms set it.
workers = int(os.environ.get("RAPPORT_WORKERS") or os.environ.get("WEB_CONCURRENCY") or 2)
worker_class = "sync"
timeout = int(os.environ.get("RAPPORT_WORKER_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Restart each worker now and then, so a slow leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200

# Each worker builds its own app after the fork: no database connection is shared between
# processes, and a worker that cannot reach the database at start-up still starts (and answers
# 503 until the database is back).
preload_app = False

# Access log off: the app itself logs every request as one JSON line on stderr, with the request
# id, user id, status and duration, and never the query string (which could hold a secret).
# Gunicorn's own access log would repeat each line without those fields.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("RAPPORT_LOG_LEVEL", "info").lower()

# Forwarded headers are trusted by the app according to RAPPORT_TRUST_PROXY_HOPS (ProxyFix);
# gunicorn only needs to know the proxy may set the scheme.
forwarded_allow_ips = os.environ.get("RAPPORT_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
