"""The lesson page keeps its main part rendered (app/learn/lesson_page.py): each learner still sees
their own progress, at once, and a content reload or a mounted prefix shows through."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
from flask import template_rendered
from markupsafe import escape

from app.learn.lesson_page import RenderedParts
from tests.conftest import PASSWORD, PROJECT_ROOT, Api, publishing, right_answers

MODULE = "trust-formula"
LESSONS = ["anna-and-jack", "doctor-patient", "the-trust-formula"]


def lesson_url(lesson_id: str, module_id: str = MODULE) -> str:
    return f"/modules/{module_id}/lessons/{lesson_id}"


def contents(html: str) -> dict[str, str]:
    """The module's contents as the page shows them: each lesson and quiz id, with its tick
    ("read", "passed", "taken") or ""."""
    toc = re.search(r'<nav class="toc".*?</nav>', html, re.S).group(0)
    shown = {}
    for item in re.findall(r"<li.*?</li>", toc, re.S):
        link = re.search(r'href="[^"]*/(?:lessons|quizzes)/([^"/]+)"', item).group(1)
        tick = re.search(r'class="tick" aria-label="(\w+)"', item)
        shown[link] = tick.group(1) if tick else ""
    return shown


def ticked(html: str) -> dict[str, str]:
    return {item: tick for item, tick in contents(html).items() if tick}


@pytest.fixture
def learners(app, make):
    """Two logged-in browsers, Ada's and Ben's, each with an API client for its learner."""
    browsers = []
    for name in ("Ada", "Ben"):
        user = make.user(name=name)
        browser = app.test_client()
        browser.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        browsers.append((browser, Api(browser, make.token(user))))
    return browsers


@pytest.fixture
def renders(app) -> Iterator[list[str]]:
    """The name of every template rendered while the test runs."""
    names: list[str] = []

    def note(_sender, template, **_extra) -> None:
        names.append(template.name)

    template_rendered.connect(note, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(note, app)


def test_two_learners_see_their_own_progress_on_the_same_lesson(learners, catalogue):
    (ada, ada_api), (ben, _ben_api) = learners
    for lesson_id in LESSONS:
        assert ada.get(lesson_url(lesson_id)).status_code == 200
    quiz = catalogue.quiz("trust-formula-check")
    assert ada_api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": right_answers(quiz)})
    ada_page = ada.get(lesson_url(LESSONS[2])).text
    ben_page = ben.get(lesson_url(LESSONS[2])).text
    assert ticked(ada_page) == {
        **dict.fromkeys(LESSONS, "read"),
        "trust-formula-check": "passed",
    }
    assert ticked(ben_page) == {LESSONS[2]: "read"}
    assert ticked(ada.get(lesson_url(LESSONS[2])).text) == ticked(ada_page)


def test_progress_shows_on_the_next_page_at_once(learners, catalogue):
    (ada, ada_api), _ = learners
    assert ticked(ada.get(lesson_url(LESSONS[0])).text) == {LESSONS[0]: "read"}
    ada.get(lesson_url(LESSONS[1]))
    assert ticked(ada.get(lesson_url(LESSONS[0])).text) == dict.fromkeys(LESSONS[:2], "read")
    graded = catalogue.quiz("trust-formula-check")
    ada_api.post(f"/quizzes/{graded.id}/attempts", json={"answers": right_answers(graded)})
    assert ticked(ada.get(lesson_url(LESSONS[0])).text)["trust-formula-check"] == "passed"
    survey = catalogue.quiz("trust-self-assessment")
    ada_api.post(f"/quizzes/{survey.id}/attempts", json={"answers": right_answers(survey)})
    assert ticked(ada.get(lesson_url(LESSONS[0])).text)["trust-self-assessment"] == "taken"


def test_a_page_seen_before_is_not_rendered_again(learners, renders):
    (ada, _), _ = learners
    first = ada.get(lesson_url(LESSONS[0])).text
    again = ada.get(lesson_url(LESSONS[0])).text
    assert renders.count("learn/lesson.html") == 2
    assert renders.count("learn/_lesson_body.html") <= 1  # 0 when an earlier test left it
    assert again == first.replace(csrf(first), csrf(again))


def test_templates_that_reload_are_rendered_every_time(app, learners, renders):
    (ada, _), _ = learners
    app.jinja_env.auto_reload = True
    try:
        ada.get(lesson_url(LESSONS[0]))
        ada.get(lesson_url(LESSONS[0]))
    finally:
        app.jinja_env.auto_reload = False
    assert renders.count("learn/_lesson_body.html") == 2


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_a_content_reload_shows_the_new_lesson(app, learners, tmp_path):
    (ada, _), _ = learners
    assert "A story nobody wrote" not in ada.get(lesson_url(LESSONS[0])).text
    for folder in ("modules", "quizzes"):
        shutil.copytree(PROJECT_ROOT / folder, tmp_path / folder)
    shutil.copy(PROJECT_ROOT / "course.yaml", tmp_path / "course.yaml")
    module_file = next((tmp_path / "modules").glob("*trust*"))
    text = module_file.read_text()
    assert "A story about a labradoodle" in text, "the first lesson changed: update this test"
    module_file.write_text(text.replace("A story about a labradoodle", "A story nobody wrote", 1))
    with publishing(app, tmp_path):
        page = ada.get(lesson_url(LESSONS[0])).text
    assert "A story nobody wrote" in page
    assert "A story nobody wrote" not in ada.get(lesson_url(LESSONS[0])).text


def test_links_follow_the_prefix_the_app_is_mounted_at(learners):
    (ada, _), _ = learners
    assert 'href="/modules/' in ada.get(lesson_url(LESSONS[0])).text
    mounted = ada.get(lesson_url(LESSONS[0]), base_url="http://localhost/rapport/").text
    links = re.findall(
        r'href="(/[^"]*)"', re.search(r'<div class="with-sidebar">.*', mounted, re.S).group(0)
    )
    assert len(links) > 5
    assert all(link.startswith("/rapport/") for link in links)


def test_the_kept_parts_are_capped_oldest_first():
    parts = RenderedParts(max_entries=2)
    catalogue, reloaded = object(), object()
    for key in "abc":
        parts.put(catalogue, key, escape(key))
    assert [parts.get(catalogue, key) for key in "abc"] == [None, "b", "c"]
    assert parts.get(reloaded, "c") is None
    parts.put(reloaded, "d", escape("d"))
    assert [parts.get(reloaded, key) for key in "cd"] == [None, "d"]
