"""Issue 11, items 4 to 6 and the leftovers: checking each answer as you go (without
JavaScript), partial credit, retaking only the missed questions, and what trainers see of them.
Through the pages, the API and the CSV exports."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attempt, User
from app.services import cohorts
from tests.conftest import Api, quiz_form_data, right_answers, wrong_answers

EACH = "trust-formula-check"  # feedback: each
PARTIAL_QUIZ, PARTIAL = "close-connection-check", "five-areas"  # scoring: partial, k = 5
FIVE_STEPS = "five-steps-check"


@pytest.fixture
def web(client, auth, learner):
    auth.login(learner.email)
    return client


def hidden(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
    found = re.search(r'value="([^"]*)"', tag)
    return html_lib.unescape(found.group(1)) if found else ""


def attempts_stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Attempt))


def fields_for(quiz, question, selected: list[str]) -> dict:
    one = quiz.model_copy(update={"questions": [question]})
    return quiz_form_data(one, {question.id: selected})


def check_one(client, quiz, page: str, question, selected: list[str], **extra) -> str:
    data = {
        name: hidden(page, name)
        for name in ("attempt_token", "attempt_number", "retake_of", "checked")
    }
    data |= fields_for(quiz, question, selected) | {"check": "Check this answer"} | extra
    response = client.post(f"/quizzes/{quiz.id}", data=data)
    assert response.status_code == 200, response.text[:300]
    return response.text


# ----------------------------------------------------------------------- feedback: each


def test_feedback_each_checks_question_by_question_then_stores_one_attempt(web, catalogue, app):
    quiz = catalogue.quiz(EACH)
    assert quiz.feedback == "each"
    page = web.get(f"/quizzes/{quiz.id}").text
    assert page.count("<fieldset") == 1
    assert "Check this answer" in page
    assert "Submit answers" not in page
    answers = right_answers(quiz)
    first, second = quiz.questions[0], quiz.questions[1]
    wrong = wrong_answers(quiz)[first.id]
    page = check_one(web, quiz, page, first, wrong)
    # Its feedback before moving on, the right option held back (not passed yet)…
    assert "✗ Not right" in page
    assert html_lib.escape(first.option(wrong[0]).feedback, quote=True) in page
    assert "will be shown once you pass" in page
    assert "✓ Right answer" not in page
    # … and the next question, alone.
    assert f'id="question-{second.id}"' in page
    assert f'id="question-{first.id}"' not in page
    assert attempts_stored(app) == 0
    answers[first.id] = wrong
    for question in quiz.questions[1:]:
        page = check_one(web, quiz, page, question, answers[question.id])
    assert "You have checked every answer." in page
    assert attempts_stored(app) == 0
    data = {n: hidden(page, n) for n in ("attempt_token", "attempt_number", "checked")}
    done = web.post(f"/quizzes/{quiz.id}", data=data | {"submit": "Finish"})
    assert done.status_code == 303
    assert attempts_stored(app) == 1
    with app.app_context():
        stored = db.session.scalar(select(Attempt))
        assert {a.question_id: a.selected for a in stored.answers} == answers
        assert stored.score == quiz.max_score - 1


def test_a_checked_answer_cannot_be_changed_by_forging_the_form(web, catalogue, app):
    quiz = catalogue.quiz(EACH)
    page = web.get(f"/quizzes/{quiz.id}").text
    first = quiz.questions[0]
    page = check_one(web, quiz, page, first, wrong_answers(quiz)[first.id])
    data = {n: hidden(page, n) for n in ("attempt_token", "attempt_number")}
    data |= fields_for(quiz, quiz.questions[1], right_answers(quiz)[quiz.questions[1].id])
    forged = web.post(f"/quizzes/{quiz.id}", data=data | {"checked": "forged.value"})
    # A forged record of checked answers is ignored: the quiz starts again at question 1,
    # which this form did not answer.
    assert forged.status_code == 422
    assert f'id="question-{first.id}"' in forged.text
    forged = forged.text
    assert "Answers checked so far" not in forged
    assert attempts_stored(app) == 0


def test_feedback_each_accepts_a_whole_form_at_once(web, catalogue, app):
    """A form that answers every question and submits (no checking) is one attempt too."""
    quiz = catalogue.quiz(EACH)
    page = web.get(f"/quizzes/{quiz.id}").text
    data = quiz_form_data(quiz, right_answers(quiz), hidden(page, "attempt_token"))
    response = web.post(f"/quizzes/{quiz.id}", data=data | {"submit": "Submit answers"})
    assert response.status_code == 303
    assert attempts_stored(app) == 1


def test_the_api_says_how_a_quiz_gives_feedback(api):
    assert api.get(f"/quizzes/{EACH}").json["feedback"] == "each"
    assert api.get(f"/quizzes/{FIVE_STEPS}").json["feedback"] == "end"


# ----------------------------------------------------------------------- partial credit


def partial_answers(catalogue, ticks: list[str]) -> dict[str, list[str]]:
    quiz = catalogue.quiz(PARTIAL_QUIZ)
    return right_answers(quiz) | {PARTIAL: ticks}


@pytest.mark.parametrize(
    ("right", "wrong", "credit"),
    [(5, 0, 1.0), (4, 0, 0.8), (4, 1, 0.6), (3, 2, 0.2), (1, 2, 0.0)],
)
def test_partial_credit_is_a_fifth_per_tick_never_below_zero(api, catalogue, right, wrong, credit):
    quiz = catalogue.quiz(PARTIAL_QUIZ)
    question = quiz.question(PARTIAL)
    assert question.scoring == "partial"
    rights = question.correct_option_ids
    wrongs = [o.id for o in question.options if not o.correct]
    body = api.post(
        f"/quizzes/{quiz.id}/attempts",
        json={"answers": partial_answers(catalogue, rights[:right] + wrongs[:wrong])},
    ).json
    entry = next(e for e in body["questions"] if e["id"] == PARTIAL)
    assert entry["credit"] == pytest.approx(credit)
    assert entry["correct"] is (credit == 1.0)
    assert body["score"] == pytest.approx(quiz.max_score - 1 + credit)


def test_the_pass_mark_is_compared_with_the_exact_fractional_score(api, catalogue):
    quiz = catalogue.quiz(PARTIAL_QUIZ)  # pass mark 60%
    question = quiz.question(PARTIAL)
    graded = [q for q in quiz.graded_questions if q.id != PARTIAL]
    needed = quiz.pass_mark * quiz.max_score / 100
    answers = right_answers(quiz)
    # Miss whole questions until only the partial one can tip the balance.
    for missed in graded:
        if quiz.max_score - 1 - (graded.index(missed) + 1) < needed - 1:
            break
        answers[missed.id] = wrong_answers(quiz)[missed.id]
    whole = sum(1 for q in graded if answers[q.id] == right_answers(quiz)[q.id])
    for right in range(1, 6):
        answers[PARTIAL] = question.correct_option_ids[:right]
        body = api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": answers}).json
        assert body["score"] == pytest.approx(whole + right / 5)
        assert body["passed"] is ((whole + right / 5) * 100 >= quiz.pass_mark * quiz.max_score)


def test_partial_scores_show_on_the_result_and_progress_pages(web, catalogue):
    quiz = catalogue.quiz(PARTIAL_QUIZ)
    question = quiz.question(PARTIAL)
    ticks = question.correct_option_ids[:4]
    page = web.get(f"/quizzes/{quiz.id}")
    response = web.post(
        f"/quizzes/{quiz.id}",
        data=quiz_form_data(quiz, partial_answers(catalogue, ticks), hidden(page.text, "attempt_token")),
    )  # fmt: skip
    result = web.get(response.headers["Location"]).text
    assert "Partly right: 0.8 of 1 point" in result
    assert f"{quiz.max_score - 1}.8 / {quiz.max_score}" in result
    assert f"{quiz.max_score - 1}.8 / {quiz.max_score}" in web.get("/progress").text


# ----------------------------------------------------------------------- retakes


def fail_five_steps(api, catalogue, missed: int = 4) -> tuple[dict, list[str]]:
    quiz = catalogue.quiz(FIVE_STEPS)
    answers = right_answers(quiz)
    ids = [q.id for q in quiz.graded_questions[:missed]]
    for question_id in ids:
        answers[question_id] = wrong_answers(quiz)[question_id]
    body = api.post(f"/quizzes/{quiz.id}/attempts", json={"answers": answers}).json
    assert body["passed"] is False
    return body, ids


def test_retaking_the_missed_questions_through_the_pages(client, auth, make, catalogue, app):
    user = make.user()
    api = Api(client, make.token(user))
    first, missed = fail_five_steps(api, catalogue)
    quiz = catalogue.quiz(FIVE_STEPS)
    auth.login(user.email)
    result = client.get(f"/attempts/{first['id']}").text
    link = f"/quizzes/{quiz.id}?retake_of={first['id']}"
    assert f'href="{link}"' in result.replace("&amp;", "&")
    assert "Retry the 4 questions you missed" in result
    page = client.get(link).text
    assert page.count("<fieldset") == 4
    assert "Your 10 right answers from that attempt are kept" in page
    only_missed = quiz.model_copy(update={"questions": [quiz.question(i) for i in missed]})
    data = quiz_form_data(only_missed, right_answers(only_missed), hidden(page, "attempt_token"))
    data |= {"retake_of": hidden(page, "retake_of"), "attempt_number": "2"}
    response = client.post(f"/quizzes/{quiz.id}", data=data)
    assert response.status_code == 303
    retake = client.get(response.headers["Location"]).text
    assert "a retake of the questions you missed" in retake
    assert f"{quiz.max_score} / {quiz.max_score}" in retake
    assert "✓ Passed" in retake
    assert "retake of missed questions" in client.get("/progress").text
    with app.app_context():
        stored = db.session.scalar(select(Attempt).order_by(Attempt.id.desc()))
        assert stored.retake_of_id == first["id"]
        assert len(stored.answers) == len(quiz.questions)


def test_retaking_through_the_api(api, catalogue, make, client):
    first, missed = fail_five_steps(api, catalogue)
    quiz = catalogue.quiz(FIVE_STEPS)
    right = right_answers(quiz)
    url = f"/quizzes/{quiz.id}/attempts"
    kept = next(q.id for q in quiz.graded_questions if q.id not in missed)
    refused = api.post(url, json={"answers": {**{i: right[i] for i in missed}, kept: right[kept]},
                                  "retake_of": first["id"]})  # fmt: skip
    assert refused.status_code == 422
    assert kept in refused.json["error"]["questions"]
    partial = api.post(url, json={"answers": {i: right[i] for i in missed[:3]},
                                  "retake_of": first["id"]})  # fmt: skip
    assert partial.status_code == 422
    assert partial.json["error"]["code"] == "missing_answers"
    body = api.post(
        url, json={"answers": {i: right[i] for i in missed}, "retake_of": first["id"]}
    ).json
    assert body["retake_of"] == first["id"]
    assert body["score"] == quiz.max_score
    assert body["passed"] is True
    history = api.get("/me/progress").json["attempts"]
    assert [a["retake_of"] for a in history if a["quiz_id"] == quiz.id] == [first["id"], None]
    # Nothing left to retake in an attempt that was all right.
    nothing = api.post(url, json={"answers": {}, "retake_of": body["id"]})
    assert nothing.json["error"]["code"] == "nothing_to_retake"
    # Someone else's attempt, another quiz's, or not an id at all: refused.
    other = Api(client, make.token(make.user()))
    assert other.post(url, json={"answers": {}, "retake_of": first["id"]}).status_code == 422
    assert api.post(f"/quizzes/{EACH}/attempts",
                    json={"answers": {}, "retake_of": first["id"]}).status_code == 422  # fmt: skip
    assert api.post(url, json={"answers": {}, "retake_of": "1"}).status_code == 422


def test_a_retake_link_that_is_not_yours_is_404(web, client, make, catalogue):
    other = Api(client, make.token(make.user()))
    first, _ = fail_five_steps(other, catalogue)
    assert web.get(f"/quizzes/{FIVE_STEPS}?retake_of={first['id']}").status_code == 404
    assert web.get(f"/quizzes/{FIVE_STEPS}?retake_of=abc").status_code == 404


# ----------------------------------------------------------------------- trainers' views


@pytest.fixture
def cohort_with(app, make, learner):
    trainer = make.user("trainer")
    with app.app_context():
        cohort = cohorts.create_cohort(db.session.get(User, trainer.id), "Retakes")
        cohorts.join_cohort(db.session.get(User, learner.id), cohort.join_code)
        db.session.commit()
        return cohort.id, trainer


def test_trainers_see_retakes_and_partial_credit(api, catalogue, client, auth, make, learner,
                                                 cohort_with):  # fmt: skip
    cohort_id, trainer = cohort_with
    first, missed = fail_five_steps(api, catalogue)
    right = right_answers(catalogue.quiz(FIVE_STEPS))
    retake = api.post(f"/quizzes/{FIVE_STEPS}/attempts",
                      json={"answers": {i: right[i] for i in missed}, "retake_of": first["id"]}).json  # fmt: skip
    ticks = catalogue.quiz(PARTIAL_QUIZ).question(PARTIAL).correct_option_ids[:4]
    partial = api.post(f"/quizzes/{PARTIAL_QUIZ}/attempts",
                       json={"answers": partial_answers(catalogue, ticks)}).json  # fmt: skip
    auth.login(trainer.email)
    page = client.get(f"/trainer/cohorts/{cohort_id}/learners/{learner.id}").text
    assert "retake of missed questions" in page
    assert "partial credit 0.8" in page
    assert f"{partial['score']:g} of " in page
    assert "options as shown" in page
    answers_csv = client.get(f"/trainer/cohorts/{cohort_id}/export/answers.csv").text
    header = answers_csv.splitlines()[0]
    assert header.endswith("correct,credit,retake_of_attempt_id,shown_option_ids")
    assert any(f",{PARTIAL}," in row and ",no,0.8,," in row for row in answers_csv.splitlines())
    assert any(f",{retake['id']}," in row and row.split(",")[-2] == str(first["id"])
               for row in answers_csv.splitlines())  # fmt: skip
    learners_csv = client.get(f"/trainer/cohorts/{cohort_id}/export/learners.csv").text
    assert f",{partial['score']:g}," in learners_csv
    trainer_api = Api(client, make.token(trainer))
    body = trainer_api.get(f"/cohorts/{cohort_id}/learners/{learner.id}").json
    by_id = {a["id"]: a for a in body["attempts"]}
    assert by_id[retake["id"]]["retake_of"] == first["id"]
    assert by_id[partial["id"]]["score"] == pytest.approx(partial["score"])
    credits = {a["question_id"]: a["credit"] for a in by_id[partial["id"]]["answers"]}
    assert credits[PARTIAL] == pytest.approx(0.8)


# ----------------------------------------------------------------------- leftovers


def test_a_new_learner_is_asked_to_start_not_to_continue(web, catalogue):
    first = catalogue.modules[0]
    home = web.get("/").text
    assert "Pick up where you left off" not in home
    assert f"Start “{first.title}”" in home
    web.get(f"/modules/{first.id}/lessons/{first.lessons[0].id}")
    assert "Pick up where you left off" in web.get("/").text


def test_a_learners_api_tokens_are_folded_away_until_used(client, auth, make):
    learner = make.user("learner")
    auth.login(learner.email)
    page = client.get("/auth/account").text
    assert '<details class="panel api-tokens">' in page  # folded, still reachable
    created = client.post("/auth/account/tokens", data={"token-label": "phone"})
    assert '<details class="panel api-tokens" open>' in created.text
    auth.logout()
    trainer = make.user("trainer")
    auth.login(trainer.email)
    assert '<details class="panel api-tokens" open>' in client.get("/auth/account").text


def test_the_lesson_api_names_the_figures_and_widget_of_the_page(api):
    calculator = api.get("/modules/trust-formula/lessons/the-trust-formula").json
    assert calculator["widget"] == "trust-calculator"
    assert calculator["figures"] == []
    split = api.get("/modules/trust-formula/lessons/effective-communication").json
    assert split["figures"] == ["communication-split"]
    assert split["widget"] is None


def test_the_7_38_55_self_assessment_item_states_its_origin_and_limits(catalogue):
    question = catalogue.quiz("trust-self-assessment").question("communication-non-verbal")
    explanation = " ".join(question.explanation.split())
    assert "38%" in explanation
    assert "Mehrabian" in explanation
    assert "feelings and attitudes" in explanation
    assert "not a rule for all communication" in explanation
