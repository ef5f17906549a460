"""Helpers for certificates and xAPI: a learner who finishes the course, and a real LRS."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.content import Catalogue, Quiz
from tests.conftest import PROJECT_ROOT, Api, right_answers, wrong_answers


def read_every_lesson(api: Api, catalogue: Catalogue) -> None:
    for module in catalogue.modules:
        for lesson in module.lessons:
            assert api.get(f"/modules/{module.id}/lessons/{lesson.id}").status_code == 200


def take_every_quiz(api: Api, catalogue: Catalogue, skip: str | None = None) -> None:
    """Pass every graded quiz and take every self-assessment, except the quiz `skip`."""
    for quiz in catalogue.quizzes.values():
        if quiz.id != skip:
            response = api.post(
                f"/quizzes/{quiz.id}/attempts", json={"answers": right_answers(quiz)}
            )
            assert response.status_code == 201, response.json


def finish_course(api: Api, catalogue: Catalogue) -> None:
    read_every_lesson(api, catalogue)
    take_every_quiz(api, catalogue)


def fail_quiz(api: Api, quiz: Quiz) -> dict:
    response = api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": wrong_answers(quiz)})
    assert response.status_code == 201
    return response.json


# ------------------------------------------------------------------ a real LRS: Ralph on loopback


RALPH = Path(os.environ.get("RAPPORT_RALPH") or PROJECT_ROOT / ".lrs-venv" / "bin" / "ralph")
LRS_USER, LRS_PASSWORD = "rapport", "lrs-test-password"
# `ralph runserver` as the recipe starts it (uvicorn, file-system backend), in one process without
# the reloader. Ralph 5.1's file-system LRS creates its file on the first POST and answers every
# later one "Statements bulk indexation failed"; appending lets it take more than one batch.
SERVE_RALPH = """
import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


@dataclass(frozen=True)
class Lrs:
    endpoint: str  # the xAPI base, as RAPPORT_XAPI_ENDPOINT takes it

    def statements(self, agent: dict) -> list[dict]:
        """Every statement the LRS holds about this agent (following `more` links)."""
        found: list[dict] = []
        url = self.endpoint + "statements?" + urllib.parse.urlencode({"agent": json.dumps(agent)})
        while url:
            body = json.loads(_lrs_request(url))
            found += body["statements"]
            more = body.get("more")
            url = urllib.parse.urljoin(url, more) if more else ""
        return found


def _lrs_request(url: str) -> bytes:
    secret = base64.b64encode(f"{LRS_USER}:{LRS_PASSWORD}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 - loopback test server
        url, headers={"Authorization": f"Basic {secret}", "X-Experience-API-Version": "1.0.3"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.read()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def lrs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lrs]:
    """Ralph, a real xAPI learning record store, with its file-system backend on a free port.

    .ci/run installs it into .lrs-venv; elsewhere the tests skip when it is missing, in CI they fail.
    """
    if not RALPH.exists():
        message = f"Ralph is not installed at {RALPH} (see .ci/run for the install)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("ralph")
    env = {
        **os.environ,
        "RALPH_AUTH_FILE": str(folder / "auth.json"),
        "RALPH_RUNSERVER_BACKEND": "fs",
    }
    subprocess.run(
        [str(RALPH), "auth", "-u", LRS_USER, "-p", LRS_PASSWORD, "-s", "all"]
        + ["-M", "mailto:lrs@example.com", "-w"],
        env=env,
        cwd=folder,
        check=True,
        capture_output=True,
    )
    port = free_port()
    launcher = folder / "serve.py"
    launcher.write_text(SERVE_RALPH)
    log = (folder / "ralph.log").open("wb")
    server = subprocess.Popen(
        [str(RALPH.parent / "python"), str(launcher), str(port)],
        env={**env, "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "data")},
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    lrs = Lrs(f"http://127.0.0.1:{port}/xAPI/")
    try:
        _wait_for(lrs, server, folder / "ralph.log")
        yield lrs
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def _wait_for(lrs: Lrs, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    probe = lrs.endpoint + "statements?limit=1"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"Ralph stopped at start-up:\n{log.read_text()[-2000:]}")
        try:
            _lrs_request(probe)
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    pytest.fail(f"Ralph did not answer within 60 s:\n{log.read_text()[-2000:]}")
