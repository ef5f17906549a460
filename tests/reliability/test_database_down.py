"""When the database is unreachable: friendly 503s, a failing health check, and recovery by itself."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from app.extensions import db
from tests.conftest import PASSWORD, PROJECT_ROOT, make_app

CLOSED_PORT_URL = "postgresql+psycopg://postgres@127.0.0.1:1/test"

SAMPLE = (
    PROJECT_ROOT / "tests" / "content" / "sample"
)  # a tiny course: content does not matter here


def assert_unavailable(app: Flask) -> None:
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json == {"status": "unavailable"}

    page = client.post("/auth/login", data={"email": "a@example.com", "password": PASSWORD})
    assert page.status_code == 503
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Temporarily unavailable" in page.text
    assert "Please try again in a minute" in page.text
    assert "Traceback" not in page.text
    assert "OperationalError" not in page.text

    api = client.get("/api/v1/modules", headers={"Authorization": "Bearer rpt_anything"})
    assert api.status_code == 503
    assert api.json["error"]["code"] == "unavailable"


def test_the_app_starts_and_answers_503_when_the_database_is_unreachable():
    app = make_app(CLOSED_PORT_URL, CONTENT_DIR=SAMPLE)
    assert_unavailable(app)
    assert app.test_client().get("/").status_code in (200, 503)
    with app.app_context():
        db.engine.dispose()


def test_the_health_check_says_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert "Set-Cookie" not in response.headers  # a load balancer's probe leaves no session


def test_it_recovers_by_itself_when_the_database_appears(tmp_path: Path):
    """A SQLite database whose folder does not exist yet (a volume not mounted, say)."""
    folder = tmp_path / "not-mounted-yet"
    url = f"sqlite:///{folder / 'rapport.db'}"
    app = make_app(url, CONTENT_DIR=SAMPLE)
    assert_unavailable(app)

    folder.mkdir()
    engine = create_engine(url)
    db.metadata.create_all(engine)
    engine.dispose()

    client = app.test_client()
    assert client.get("/healthz").json == {"status": "ok"}
    response = client.post(
        "/auth/register", data={"name": "Back", "email": "back@example.com", "password": PASSWORD}
    )
    assert response.status_code == 303
    with app.app_context():
        db.engine.dispose()


class FlakyProxy:
    """A TCP relay to the real database that can be switched off and on, like a network cut."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)  # so the accept loop notices close() quickly
        self.port = self.listener.getsockname()[1]
        self.is_up = False
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        self.closing = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def up(self) -> None:
        self.is_up = True

    def down(self) -> None:
        """Refuse new connections and cut the ones in use."""
        self.is_up = False
        with self.lock:
            for sock in self.open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.open.clear()

    def close(self) -> None:
        self.closing = True
        self.down()
        self.listener.close()
        self.thread.join(timeout=5)

    def _accept(self) -> None:
        while not self.closing:
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            if not self.is_up:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.close()


@pytest.fixture
def postgres_behind_a_proxy() -> Iterator[tuple[FlakyProxy, str]]:
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        base = os.environ.get(
            "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
    url = make_url(base)
    target = (url.host or "127.0.0.1", url.port or 5432)
    try:
        socket.create_connection(target, timeout=1).close()
    except OSError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL is not reachable at {target[0]}:{target[1]}")
    proxy = FlakyProxy(target)
    try:
        yield (
            proxy,
            url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
        )
    finally:
        proxy.close()


def test_postgres_outage_at_start_up_and_later_heals_without_a_restart(postgres_behind_a_proxy):
    proxy, url = postgres_behind_a_proxy
    app = make_app(url, CONTENT_DIR=SAMPLE)  # starts while the database is unreachable
    client = app.test_client()
    assert client.get("/healthz").status_code == 503

    proxy.up()
    assert client.get("/healthz").json == {"status": "ok"}

    proxy.down()  # the pooled connection dies under the app
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable"}
    api = client.get("/api/v1/modules", headers={"Authorization": "Bearer rpt_anything"})
    assert api.status_code == 503

    proxy.up()
    for _ in range(3):  # every pooled connection is usable again, not only the first
        assert client.get("/healthz").json == {"status": "ok"}
    with app.app_context():
        db.engine.dispose()


def test_a_connection_cut_while_idle_is_replaced_before_anyone_notices(postgres_behind_a_proxy):
    """Connections idle longer than POOL_PING_AFTER_IDLE_SECONDS are checked on checkout: one
    cut while nobody used it (a database restart at night) is replaced, and the request that
    takes it from the pool succeeds."""
    proxy, url = postgres_behind_a_proxy
    proxy.up()
    app = make_app(url, CONTENT_DIR=SAMPLE, POOL_PING_AFTER_IDLE_SECONDS=0)
    client = app.test_client()
    assert client.get("/healthz").json == {"status": "ok"}
    proxy.down()  # cuts the pooled connection while it sits idle in the pool
    proxy.up()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    with app.app_context():
        db.engine.dispose()


def test_busy_connections_are_not_pinged(postgres_behind_a_proxy):
    """Within the idle threshold no ping is sent: a connection cut between two quick requests
    fails the second one (a 503), and the pool is replaced for the third."""
    proxy, url = postgres_behind_a_proxy
    proxy.up()
    app = make_app(url, CONTENT_DIR=SAMPLE, POOL_PING_AFTER_IDLE_SECONDS=3600)
    client = app.test_client()
    assert client.get("/healthz").json == {"status": "ok"}
    proxy.down()
    proxy.up()
    assert client.get("/healthz").status_code == 503
    assert client.get("/healthz").json == {"status": "ok"}
    with app.app_context():
        db.engine.dispose()
