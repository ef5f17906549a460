"""Formulas in lessons: `^…^` is a superscript, and no caret is ever shown as plain text."""

from __future__ import annotations

import re

from app.content.rendering import render_markdown


def test_the_trust_formula_lesson_raises_communication_as_the_exponent(client, auth, learner):
    auth.login(learner.email)
    page = client.get("/modules/trust-formula/lessons/the-trust-formula")
    assert page.status_code == 200
    assert "Trust = (Care × Accountability)<sup>Effective communication</sup>" in page.text
    assert "^" not in page.text


def test_a_superscript_in_markdown_and_a_lone_caret():
    assert render_markdown(r"2^10^ and x^a\ b^") == "<p>2<sup>10</sup> and x<sup>a b</sup></p>\n"
    assert render_markdown("a ^ alone") == "<p>a ^ alone</p>\n"


def test_no_caret_formula_is_left_in_the_course_as_plain_text(client, auth, learner, catalogue):
    auth.login(learner.email)
    caret = re.compile(r"\)\^|\^\w")
    for module in catalogue.modules:
        for lesson in module.lessons:
            page = client.get(f"/modules/{module.id}/lessons/{lesson.id}")
            assert not caret.search(page.text), (module.id, lesson.id)
        for quiz in catalogue.quizzes_of(module):
            page = client.get(f"/quizzes/{quiz.id}")
            assert page.status_code == 200
            assert not caret.search(page.text), quiz.id
            for question in quiz.questions:
                assert not caret.search(question.explanation_html), (quiz.id, question.id)
