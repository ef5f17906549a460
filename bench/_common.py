"""What the benchmarks share: a fresh database, gunicorn serving the app, a small asyncio HTTP
load generator (keep-alive HTTP/1.1 where the server allows it), and the statistics.

Everything runs on this machine, on 127.0.0.1 only, with bounded counts and durations.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results"
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def tool(name: str) -> str:
    """A program from the project's virtualenv, else from the running Python's (a git worktree
    has no .venv of its own), else from PATH."""
    for folder in (VENV_BIN, Path(sys.executable).parent):
        candidate = folder / name
        if candidate.exists():
            return str(candidate)
    return shutil.which(name) or name


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


# ---------------------------------------------------------------------------------- databases


@dataclass
class Database:
    kind: str  # "sqlite" or "postgresql"
    url: str  # SQLAlchemy URL for the app (DATABASE_URL)


@contextmanager
def fresh_database(kind: str) -> Iterator[Database]:
    """An empty database of this kind, removed afterwards."""
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="rapport-bench-"))
        try:
            yield Database("sqlite", f"sqlite:///{folder / 'bench.db'}")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    if kind != "postgresql":
        raise ValueError(f"unknown database kind {kind!r}")
    import psycopg

    name = f"rapport_bench_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield Database("postgresql", f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}")
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def app_environment(database: Database) -> dict[str, str]:
    """The environment the deployed app runs with (production settings)."""
    env = dict(os.environ)
    env.update(
        {
            "RAPPORT_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": database.url,
            "RAPPORT_INSTANCE_PATH": tempfile.mkdtemp(prefix="rapport-bench-instance-"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.pop("RAPPORT_CONTENT_DIR", None)
    return env


def upgrade_schema(env: dict[str, str]) -> None:
    """Build the schema the way a deployment does: `flask --app run db upgrade`."""
    subprocess.run(
        [tool("flask"), "--app", "run", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def in_app(env: dict[str, str]):
    """The app (for setup code that calls the services), configured like the server."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        sys.path.insert(0, str(ROOT))
        from app import create_app

        return create_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)


# ------------------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path
    peak_rss_mb: float = 0.0

    def cpu_seconds(self) -> float:
        """CPU time (user + system) all workers used so far, those recycled included: the
        live workers' own time plus what the master collected from the workers that exited."""
        ticks = os.sysconf("SC_CLK_TCK")
        master = _stat(self.process.pid)
        total = int(master[13]) + int(master[14])  # cutime, cstime: reaped children
        for pid in self.worker_pids():
            try:
                fields = _stat(pid)
            except OSError:  # exited between the listing and the read
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def worker_rss_mb(self) -> dict[int, float]:
        found = {}
        for pid in self.worker_pids():
            try:
                found[pid] = round(rss_mb(pid), 1)
            except (OSError, RuntimeError):
                continue
        return found

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])  # field 4: the parent's pid
            if parent == self.process.pid:
                pids.append(int(entry.name))
        return sorted(pids)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (field 3 onwards)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


@contextmanager
def gunicorn(
    env: dict[str, str],
    workers: int = 2,
    app: str = "bench.wsgi:app",
    extra_args: list[str] | None = None,
) -> Iterator[Server]:
    """gunicorn serving the app with `workers` sync workers on 127.0.0.1; stopped afterwards.

    `bench.wsgi:app` is `run:app` plus the trivial endpoints the figures are compared with.
    A gunicorn.conf.py at the project root is used when there is one (the command line wins).
    """
    port = free_port()
    log = Path(env["RAPPORT_INSTANCE_PATH"]) / "gunicorn.log"
    command = [tool("gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    if (ROOT / "gunicorn.conf.py").exists():
        command += ["-c", str(ROOT / "gunicorn.conf.py")]
    command += [*(extra_args or []), app]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    server = Server(process, port, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200 and len(server.worker_pids()) >= workers:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer within 30 s")
            time.sleep(0.2)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -------------------------------------------------------------------------------- HTTP client


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: dict[str, str] = field(default_factory=dict)


class Connection:
    """One client's HTTP/1.1 connection: kept alive when the server allows, reopened when not."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.connects = 0

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> Response:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            self.connects += 1
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        found: dict[str, str] = {}
        cookies: dict[str, str] = {}
        for line in header_lines:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, val = cookie.partition("=")
                cookies[key] = val
            found[name] = value
        if found.get("transfer-encoding", "").lower() == "chunked":
            payload = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                payload += chunk[:-2]
        elif "content-length" in found:
            payload = await self.reader.readexactly(int(found["content-length"]))
        else:
            payload = await self.reader.read()
            found["connection"] = "close"
        if found.get("connection", "").lower() == "close":
            await self.close()
        return Response(status, found, payload, cookies)


RequestMaker = Callable[[int, int], tuple[str, str, bytes, dict[str, str]]]


@dataclass
class LoadResult:
    label: str
    concurrency: int
    seconds: float
    latencies_ms: list[float]
    statuses: Counter
    errors: Counter
    connects: int
    cpu_seconds: float | None = None  # CPU the server's workers used during the run

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    @property
    def rps(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[index]

    def summary(self) -> dict:
        return {
            "label": self.label,
            "concurrency": self.concurrency,
            "requests": self.count,
            "seconds": round(self.seconds, 2),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile(50), 2),
            "p95_ms": round(self.percentile(95), 2),
            "p99_ms": round(self.percentile(99), 2),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 2) if self.latencies_ms else None,
            "statuses": dict(sorted(self.statuses.items())),
            "errors": dict(self.errors),
            "connections_opened": self.connects,
            "worker_cpu_ms_per_request": round(1000 * self.cpu_seconds / self.count, 3)
            if self.cpu_seconds is not None and self.count
            else None,
        }

    def merged(self, other: LoadResult) -> LoadResult:
        both = None
        if self.cpu_seconds is not None and other.cpu_seconds is not None:
            both = self.cpu_seconds + other.cpu_seconds
        return LoadResult(
            self.label or other.label,
            self.concurrency,
            self.seconds + other.seconds,
            self.latencies_ms + other.latencies_ms,
            self.statuses + other.statuses,
            self.errors + other.errors,
            self.connects + other.connects,
            both,
        )

    def line(self) -> str:
        s = self.summary()
        return (
            f"{self.label:<34} c={self.concurrency:<3} {s['requests']:>6} req "
            f"{s['rps']:>8.1f} req/s  p50 {s['p50_ms']:>7.2f} ms  p95 {s['p95_ms']:>7.2f} ms  "
            + (
                f"cpu {s['worker_cpu_ms_per_request']:>6.2f} ms/req  "
                if s["worker_cpu_ms_per_request"] is not None
                else ""
            )
            + f"statuses {s['statuses']}"
            + (f"  errors {s['errors']}" if s["errors"] else "")
        )


async def _load(
    port: int,
    make: RequestMaker,
    concurrency: int,
    seconds: float,
    max_requests: int,
    expect: tuple[int, ...],
    label: str,
    interval: float | None = None,
) -> LoadResult:
    latencies: list[float] = []
    statuses: Counter = Counter()
    errors: Counter = Counter()
    connections = [Connection(port) for _ in range(concurrency)]
    deadline = time.perf_counter() + seconds
    issued = 0

    async def client(index: int) -> None:
        nonlocal issued
        connection = connections[index]
        sequence = 0
        # Paced clients send one request every `interval` seconds (phases spread evenly);
        # their latency counts from the planned moment, so a slow server cannot hide a backlog.
        planned = time.perf_counter() + (interval or 0) * index / concurrency
        while time.perf_counter() < deadline and issued < max_requests:
            if interval:
                delay = planned - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                if time.perf_counter() >= deadline:
                    break
            issued += 1
            method, path, body, headers = make(index, sequence)
            sequence += 1
            started = planned if interval else time.perf_counter()
            planned += interval or 0
            try:
                response = await connection.request(method, path, body, headers)
            except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                errors[type(error).__name__] += 1
                await connection.close()
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[response.status] += 1
            if response.status not in expect:
                errors[f"HTTP {response.status}"] += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(concurrency)))
    elapsed = time.perf_counter() - started
    for connection in connections:
        await connection.close()
    return LoadResult(
        label,
        concurrency,
        elapsed,
        latencies,
        statuses,
        errors,
        sum(c.connects for c in connections),
    )


def load(
    port: int,
    make: RequestMaker,
    concurrency: int,
    seconds: float = 10.0,
    max_requests: int = 200_000,
    expect: tuple[int, ...] = (200,),
    label: str = "",
    server: Server | None = None,
    interval: float | None = None,
) -> LoadResult:
    """Run `concurrency` clients for `seconds` (at most `max_requests` in all), each sending its
    next request as soon as the last one is answered, or every `interval` seconds when given.

    With the `server`, also the CPU time its workers spent serving the run, and the largest
    worker memory seen so far (kept in `server.peak_rss_mb`).
    """
    before = server.cpu_seconds() if server else None
    result = asyncio.run(
        _load(port, make, concurrency, seconds, max_requests, expect, label, interval)
    )
    if server is not None:
        result.cpu_seconds = server.cpu_seconds() - before
        server.peak_rss_mb = max([server.peak_rss_mb, *server.worker_rss_mb().values()])
    return result


def interleaved(
    port: int,
    scenarios: list[tuple[str, RequestMaker, tuple[int, ...]]],
    concurrency: int,
    seconds: float,
    rounds: int = 3,
    server: Server | None = None,
) -> dict[str, LoadResult]:
    """Run the scenarios in turn, `rounds` times, `seconds / rounds` each time, and merge each
    scenario's runs: a burst of load from elsewhere on the machine then hits both sides."""
    merged: dict[str, LoadResult] = {}
    for _ in range(rounds):
        for label, make, expect in scenarios:
            result = load(
                port, make, concurrency, seconds / rounds, expect=expect, label=label, server=server
            )
            merged[label] = merged[label].merged(result) if label in merged else result
    return merged


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


async def login(port: int, email: str, password: str) -> str:
    """Log in through the real form (CSRF included); the session cookie as a Cookie header."""
    connection = Connection(port)
    page = await connection.request("GET", "/auth/login")
    name = _session_cookie(page.cookies)
    cookie = f"{name}={page.cookies[name]}"
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.body)
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    form = urllib.parse.urlencode(
        {"csrf_token": token.group(1).decode(), "email": email, "password": password}
    ).encode()
    done = await connection.request(
        "POST",
        "/auth/login",
        form,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    await connection.close()
    if done.status != 302 or name not in done.cookies:
        raise RuntimeError(f"login failed for {email}: HTTP {done.status}")
    return f"{name}={done.cookies[name]}"


def _session_cookie(cookies: dict) -> str:
    """The session cookie's name: `__Host-session` in production since issue 12, else `session`."""
    return next((n for n in ("__Host-session", "session") if n in cookies), "session")


# ------------------------------------------------------------------------------------- output


def write_summary(name: str, summary: dict) -> Path:
    """Print the JSON summary and keep it in bench/results/ (ignored by git)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    summary = {
        "benchmark": name,
        "machine": machine(),
        "when": time.strftime("%Y-%m-%d %H:%M"),
        **summary,
    }
    text = json.dumps(summary, indent=2, sort_keys=False)
    print(text)
    path = RESULTS / f"{name}.json"
    path.write_text(text + "\n")
    return path
