"""Browser fixtures: the real app served over HTTP, and Debian's Chromium driven by Playwright.

The live server has its own app and its own database (an SQLite file, or a PostgreSQL schema
when TEST_DATABASE_URL is set), with CSRF on, so the browser goes through exactly what a person
would. Tests skip, with the reason, where Chromium is missing.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import close_all_sessions
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.models import Cohort, CohortMember, User
from app.services import attempts, certificates, progress
from tests.conftest import (
    PASSWORD,
    PASSWORD_HASH,
    PROJECT_ROOT,
    fresh_database,
    right_answers,
    wrong_answers,
)

CHROMIUM = os.environ.get("RAPPORT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 800}


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects anything
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _transaction() -> None:
    """Browser tests talk to the live server's own database: no per-test transaction here."""
    return


@dataclass
class LiveServer:
    app: Flask
    url: str

    def user(self, role: str = "learner", name: str | None = None) -> User:
        """A committed user with the shared test password (quicker than registering)."""
        tag = secrets.token_hex(4)
        with self.app.app_context():
            user = User(
                email=f"{role}-{tag}@example.com",
                name=name or f"{role.title()} {tag}",
                role=role,
                password_hash=PASSWORD_HASH,
            )
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app on 127.0.0.1 and a free port, in a background thread, for the session."""
    with fresh_database(tmp_path_factory.mktemp("live")) as url:
        app = create_app(
            {
                "RAPPORT_ENV": "testing",
                "SQLALCHEMY_DATABASE_URI": url,
                "CONTENT_DIR": Path(os.environ.get("RAPPORT_CONTENT_DIR") or PROJECT_ROOT),
                "WTF_CSRF_ENABLED": True,
                "RATELIMIT_STORAGE_URI": "memory://",
            }
        )
        with app.app_context():
            db.create_all()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
        thread.start()
        try:
            yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
            # A session something left open (seen once in CI: a transaction idle after a SELECT
            # of a user, near the end of the run) would hold its locks, and dropping the test
            # schema would wait for them for ever: every session in the process ends first.
            close_all_sessions()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless; the browser tests skip where it is not installed."""
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: install it (apt-get install -y chromium) "
            "or point RAPPORT_CHROMIUM at a Chromium binary"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_context(browser, live_server: LiveServer):
    """A factory of fresh browser contexts (separate cookies), all closed after the test."""
    contexts = []

    def make(viewport: dict | None = None, **options):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport or DESKTOP, accept_downloads=True, **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go: $RAPPORT_ARTIFACTS/screenshots (test-artifacts/ by default)."""
    root = Path(os.environ.get("RAPPORT_ARTIFACTS") or PROJECT_ROOT / "test-artifacts")
    folder = root / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# Chromium times out taking a full-page screenshot of a very tall page (the trainer's item
# analysis of the whole course is over 50,000 px tall at 320 px wide): keep the top of it.
MAX_SCREENSHOT_HEIGHT = 20_000


def screenshot(page, folder: Path, name: str) -> None:
    """A full-page screenshot (its top 20,000 px), named after the page type and the width."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    safe = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    height = page.evaluate("document.documentElement.scrollHeight")
    clip = (
        {"x": 0, "y": 0, "width": width, "height": min(height, MAX_SCREENSHOT_HEIGHT)}
        if width
        else None
    )
    page.screenshot(path=str(folder / f"{safe}-{width}px.png"), full_page=True, clip=clip)


def log_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"^(?!.*/auth/login).*$"))


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r".*/auth/login$"))


def catalogue_of(live_server: LiveServer):
    """The course the live server loaded."""
    return live_server.app.extensions["rapport_catalogue"]


def choose(page, quiz, answers: dict[str, list[str]], questions: list | None = None) -> None:
    """Tick these answers with the mouse (every question except ordering ones). In a quiz that
    gives feedback on each question, check each answer in turn, as a learner does."""
    for question in questions or quiz.questions:
        if question.kind == "ordering":
            continue
        fieldset = page.locator(f"#question-{question.id}")
        for option_id in answers[question.id]:
            fieldset.get_by_label(question.option(option_id).text, exact=True).check()
        if quiz.feedback == "each":
            page.get_by_role("button", name="Check this answer").click()
            page.locator(f"#checked-{question.id}").wait_for()


def submit(page) -> None:
    """Submit the answers (the last step of a feedback-each quiz too)."""
    page.get_by_role(
        "button", name=re.compile("^(Submit answers|Finish and see my result)$")
    ).click()
    page.wait_for_url(re.compile(r".*/attempts/\d+$"))


def axe_violations(page) -> list[dict]:
    """axe-core (the copy bundled with axe-playwright-python) on the page: WCAG 2.1 A and AA."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return Axe().run(page, options=options).response["violations"]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']} "
            f"[{violation.get('helpUrl', '')}]"
        )
        for node in violation["nodes"][:8]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page, label: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe found violations on {label} ({page.url}):\n" + describe_violations(
        violations
    )


def assert_no_horizontal_scroll(page, label: str) -> None:
    # Measured once the stylesheet has applied: a page's text can be in place (what `expect`
    # waits for) while rapport.css is still on its way, and an unstyled page is wider.
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.clientWidth")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width + 1:
        wide = page.evaluate(
            """(limit) => Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > limit + 1)
                .slice(0, 8)
                .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                          + ' right=' + Math.round(e.getBoundingClientRect().right))""",
            width,
        )
        raise AssertionError(
            f"{label} scrolls sideways at {width}px: scrollWidth {scroll}. Widest: {wide}"
        )


def focus_is_visible(page) -> bool:
    """The focused element shows a focus ring: an outline or a box-shadow."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return false;
            const style = getComputedStyle(el);
            const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
            return outline || (style.boxShadow && style.boxShadow !== 'none');
        }"""
    )


def check_page(page, path: str, label: str, artifacts, expect_status: int = 200) -> None:
    """axe at desktop width, at a phone's 390 px and at 320 px (plus no sideways scrolling on
    either phone), a screenshot of each."""
    response = page.goto(path)
    assert response is not None
    assert response.status == expect_status, f"{label}: HTTP {response.status} at {path}"
    assert_accessible(page, label)
    screenshot(page, artifacts, label)
    for narrow in (PHONE, NARROW):
        page.set_viewport_size(narrow)
        page.reload()
        assert_accessible(page, f"{label} at {narrow['width']} px")
        assert_no_horizontal_scroll(page, label)
        screenshot(page, artifacts, label)
    page.set_viewport_size(DESKTOP)


@pytest.fixture(scope="module")
def trainer_state(live_server, browser) -> dict:
    """A trainer's cohort of three learners who took every quiz, and the trainer's cookies.
    Learners 0 and 2 also read every lesson, so they earn a certificate; 2's is revoked. Learner 0
    failed each graded quiz once before passing it, learner 1 failed each twice."""
    trainer = live_server.user(role="trainer", name="Tess Trainer")
    learners = [live_server.user(name=f"Cohort Learner {n}") for n in range(3)]
    with live_server.app.app_context():
        cohort = Cohort(name="Spring cohort", join_code=secrets.token_hex(4).upper())
        db.session.add(cohort)
        db.session.flush()
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=trainer.id, role="trainer"))
        for learner in learners:
            db.session.add(CohortMember(cohort_id=cohort.id, user_id=learner.id, role="learner"))
        db.session.commit()
        cohort_id = cohort.id
        catalogue = live_server.app.extensions["rapport_catalogue"]
        for index, learner in enumerate(learners):
            if index % 2 == 0:
                for module in catalogue.modules:
                    for lesson in module.lessons:
                        progress.record_lesson_read(learner.id, module, lesson.id)
            for quiz in catalogue.quizzes.values():
                for _ in range({0: 2, 1: 1}.get(index, 0) if quiz.is_graded else 0):
                    attempts.submit_attempt(learner.id, quiz, wrong_answers(quiz))
                answers = right_answers(quiz) if index % 2 == 0 else wrong_answers(quiz)
                attempts.submit_attempt(learner.id, quiz, answers)
        db.session.commit()
        [revoked] = certificates.certificates_of(learners[2].id)
        certificates.revoke(revoked.code, "Issued in error")
        db.session.commit()
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    log_in(page, trainer.email)
    state = context.storage_state()
    context.close()
    return {
        "storage": state,
        "cohort": cohort_id,
        "learner": learners[0].id,
        "learners": [learner.id for learner in learners],  # by name, as the drill-down orders
    }
