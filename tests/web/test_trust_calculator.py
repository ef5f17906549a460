"""The trust calculator, the self-assessment's worked-out result, lesson figures and widgets."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import Attempt
from tests.web.test_learner_journey import submit

CALCULATOR = "/trust-calculator"


@pytest.fixture
def logged_in(client, auth, learner):
    auth.login(learner.email)
    return client


def test_the_calculator_form_gives_the_score_and_the_working(logged_in):
    # By hand: (6 × 4) ^ (7 ÷ 10) = 24 ^ 0.7 = 9.2501; 100 × log10(9.2501) ÷ 2 = 48.31 → 48.
    # One more point: care 2.34, accountability 3.39, communication 6.90 on the 0–100 scale.
    page = logged_in.get(f"{CALCULATOR}?care=6&accountability=4&communication=7")
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert "= (6 × 4)<sup>7 ÷ 10</sup> = 24<sup>0.7</sup> = 9.25" in text
    assert "<strong>48</strong> out of 100" in text
    assert "Work on this first: accountability" in text
    assert (
        "Your weakest factor is accountability (4/10): one more point there adds 3 points" in text
    )
    assert (
        "One more point of effective communication adds 7 points, because it is the exponent"
        in text
    )


def test_the_calculator_fragment_and_its_advice_follow_the_weakest_factor(logged_in):
    # (3 × 6) ^ 0.7 = 7.5629 → 43.93; care is lowest: +4.37 for care, +6.28 for communication.
    page = logged_in.get(f"{CALCULATOR}?care=3&accountability=6&communication=7&partial=1")
    assert page.status_code == 200
    assert "<html" not in page.text
    assert "<strong>44</strong> out of 100" in page.text
    assert "Your weakest factor is care (3/10): one more point there adds 4 points" in page.text
    assert "adds 6 points, because it is the exponent" in page.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("care=abc", "Care must be a whole number from 1 to 10 (you gave “abc”)."),
        (
            "accountability=11",
            "Accountability must be a whole number from 1 to 10 (you gave “11”).",
        ),
        ("communication=0", "Effective communication must be a whole number from 1 to 10"),
        ("care=5.5", "Care must be a whole number from 1 to 10 (you gave “5.5”)."),
        ("care=-3", "Care must be a whole number from 1 to 10"),
    ],
)
def test_bad_calculator_input_gets_a_clear_message(logged_in, query, message):
    for suffix in ("", "&partial=1"):
        page = logged_in.get(f"{CALCULATOR}?{query}{suffix}")
        assert page.status_code == 400
        assert message in page.text
        assert "out of 100" not in page.text


def test_the_lesson_shows_the_calculator_as_a_plain_get_form(logged_in):
    page = logged_in.get("/modules/trust-formula/lessons/the-trust-formula")
    assert page.status_code == 200
    assert re.search(r'<form method="get" action="/trust-calculator#calculator-result"', page.text)
    for factor in ("care", "accountability", "communication"):
        assert f'name="{factor}"' in page.text
    assert "<strong>35</strong> out of 100" in page.text  # 5, 5 and 5 to start: 5 ^ 1 = 5
    assert 'src="/static/trust-calculator.js"' in page.text
    script = logged_in.get("/static/trust-calculator.js")
    script.close()
    assert script.status_code == 200


@pytest.mark.parametrize(
    ("module", "lesson", "figure", "caption"),
    [
        ("trust-formula", "effective-communication", "communication-split", "Words 7%, voice 38%"),
        ("five-steps", "the-five-steps", "five-steps", "The five steps in order"),
        ("five-steps", "image-of-service", "service-quality", "becomes the perceived quality"),
    ],
)
def test_lessons_draw_their_figures_with_a_text_equivalent(
    logged_in, module, lesson, figure, caption
):
    page = logged_in.get(f"/modules/{module}/lessons/{lesson}")
    assert page.status_code == 200
    drawn = page.text[page.text.index(f'id="figure-{figure}"') :]
    drawn = drawn[: drawn.index("</figure>")]
    assert 'role="img"' in drawn
    assert re.search(r'aria-labelledby="([\w-]+)-title \1-desc"', drawn)
    assert "<title id=" in drawn
    assert "<desc id=" in drawn
    assert caption in drawn.split("<figcaption>")[1]


def _stored_trust(app, attempt_id: int) -> dict:
    with app.app_context():
        return db.session.get(Attempt, attempt_id).profile["trust"]


def test_the_result_shows_the_equation_of_the_stored_scores_even_when_stored_long_ago(
    app, logged_in, catalogue
):
    quiz = catalogue.quiz("trust-self-assessment")
    answers = {q.id: [q.options[i % len(q.options)].id] for i, q in enumerate(quiz.questions)}
    url = submit(logged_in, quiz, answers).location
    attempt_id = int(url.rsplit("/", 1)[1])
    # A result stored before the 0–100 scale: Trust raw and the old advice; only scores count.
    old = {
        "kind": "trust-formula",
        "totals": {},
        "scores": {"care": 6.0, "accountability": 4.0, "communication": 7.0},
        "trust": 9.3,
        "focus": "communication",
    }
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.profile = {"trust": old}
        db.session.commit()
    text = " ".join(logged_in.get(url).text.split())
    assert "= (6 × 4)<sup>7 ÷ 10</sup> = 24<sup>0.7</sup> = 9.25" in text
    assert "<strong>48</strong> out of 100" in text
    assert "Work on this first: accountability" in text
    assert ">10.0<" not in text  # the bars carry the stored values
    for value in ("6.0", "4.0", "7.0"):
        assert f'class="bar-value">{value}</text>' in text


def test_a_fresh_result_stores_its_scores_and_shows_their_working(app, logged_in, catalogue):
    quiz = catalogue.quiz("trust-self-assessment")
    highest = {q.id: [q.options[-1].id] for q in quiz.questions}
    url = submit(logged_in, quiz, highest).location
    stored = _stored_trust(app, int(url.rsplit("/", 1)[1]))
    assert stored["scores"] == {"care": 10.0, "accountability": 10.0, "communication": 10.0}
    text = " ".join(logged_in.get(url).text.split())
    assert "= (10 × 10)<sup>10 ÷ 10</sup> = 100<sup>1</sup> = 100.00" in text
    assert "<strong>100</strong> out of 100" in text
    assert 'class="bar-value">10.0</text>' in text
