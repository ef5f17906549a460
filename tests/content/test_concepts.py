"""Concepts declared in course.yaml, named by questions, and pre-tests: what loads, and every
mistake named at path:line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.content import load_catalogue
from tests.content.test_loader import SAMPLE, edit, line_of, problems_of

COURSE = """id: sample
title: Sample course
version: "1"
concepts:
  - {id: alpha, title: Alpha, lesson: basics/first}
  - {id: beta, title: Beta, lesson: basics/second}
"""
PRE_TEST = """id: basics-pre
title: Before the basics
kind: graded
pre_test_of: basics-check
questions:
  - id: pre-one
    kind: single
    concepts: [alpha]
    prompt: Pick A.
    options:
      - {id: a, text: A, correct: true}
      - {id: b, text: B, feedback: Not B.}
    explanation: A is right.
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """The sample course with concepts, `one` testing alpha, and a pre-test of basics-check."""
    target = tmp_path / "content"
    shutil.copytree(SAMPLE, target)
    (target / "course.yaml").write_text(COURSE)
    (target / "quizzes" / "basics-pre.yaml").write_text(PRE_TEST)
    edit(
        target / "quizzes" / "basics-check.yaml",
        "    kind: single\n",
        "    kind: single\n    concepts: [alpha]\n",
    )
    edit(
        target / "modules" / "basics.yaml",
        "quizzes: [basics-check",
        "quizzes: [basics-pre, basics-check",
    )
    return target


def test_concepts_and_a_pre_test_load(content: Path):
    catalogue = load_catalogue(content)
    assert [c.id for c in catalogue.course.concepts] == ["alpha", "beta"]
    assert catalogue.quiz("basics-check").question("one").concepts == ["alpha"]
    pre = catalogue.quiz("basics-pre")
    assert pre.is_pre_test
    assert not pre.is_graded  # never passed or failed, never needed for completion
    assert pre.is_marked
    assert catalogue.pre_test_for("basics-check") is pre
    assert catalogue.concept_title("beta") == "Beta"


def test_an_unknown_concept_is_named_at_its_line(content: Path):
    path = content / "quizzes" / "basics-check.yaml"
    edit(path, "concepts: [alpha]", "concepts: [alpha, gamma]")
    assert problems_of(content) == [
        f"quizzes/basics-check.yaml:{line_of(path, 'gamma')}: question 'one': unknown concept "
        "'gamma' (declared: alpha, beta)"
    ]


def test_a_concept_needs_a_lesson_that_exists(content: Path):
    edit(content / "course.yaml", "lesson: basics/second", "lesson: basics/third")
    assert problems_of(content) == [
        "course.yaml:6: concept 'beta': no lesson 'basics/third' (write module-id/lesson-id)"
    ]


def test_a_concept_is_declared_once(content: Path):
    edit(content / "course.yaml", "{id: beta, title: Beta", "{id: alpha, title: Beta")
    assert problems_of(content) == ["course.yaml:6: concept 'alpha' is declared twice"]


def test_concepts_without_a_course_file_are_refused(content: Path):
    (content / "course.yaml").unlink()
    path = content / "quizzes" / "basics-check.yaml"
    assert (
        f"quizzes/basics-check.yaml:{line_of(path, 'concepts')}: question 'one': unknown concept "
        "'alpha' (declared: none: declare them in course.yaml)"
    ) in problems_of(content)


def test_a_pre_test_names_a_graded_quiz_of_its_module(content: Path):
    path = content / "quizzes" / "basics-pre.yaml"
    edit(path, "pre_test_of: basics-check", "pre_test_of: basics-profile")
    assert problems_of(content) == [
        f"quizzes/basics-pre.yaml:{line_of(path, 'pre_test_of')}: pre_test_of: quiz "
        "'basics-profile' is not a graded quiz with a pass mark"
    ]


def test_a_pre_test_has_no_pass_mark(content: Path):
    path = content / "quizzes" / "basics-pre.yaml"
    edit(path, "kind: graded\n", "kind: graded\npass_mark: 50\n")
    (problem,) = problems_of(content)
    assert problem.startswith("quizzes/basics-pre.yaml:1: ")
    assert "a pre-test (`pre_test_of`) is `kind: graded` without a `pass_mark`" in problem


def test_a_pre_test_tests_the_concepts_of_its_quiz(content: Path):
    path = content / "quizzes" / "basics-pre.yaml"
    edit(path, "concepts: [alpha]", "concepts: [beta]")
    assert problems_of(content) == [
        f"quizzes/basics-pre.yaml:{line_of(path, 'concepts')}: question 'pre-one': concept "
        "'beta' is not tested by 'basics-check', so no gain can be measured"
    ]


def test_the_shipped_course_tags_every_graded_question_and_has_two_pre_tests():
    catalogue = load_catalogue(SAMPLE.parents[2])
    untagged = [
        (quiz.id, q.id)
        for quiz in catalogue.quizzes.values()
        for q in quiz.questions
        if q.graded and not q.concepts
    ]
    assert not untagged
    pre_tests = {q.pre_test_of for q in catalogue.quizzes.values() if q.is_pre_test}
    assert len(pre_tests) >= 2
    for quiz_id in pre_tests:
        module = catalogue.module(catalogue.module_of_quiz[quiz_id])
        assert catalogue.pre_test_for(quiz_id).id in module.quizzes
