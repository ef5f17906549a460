"""Question kinds: a kind is one class plus its partials, and the app refuses an incomplete one.

The recipe in docs/question-kinds.md is proved here with a throwaway kind, `pick-two`, that exists
only in this file and a temporary template folder.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.content import Question, QuestionKind, QuestionKindsIncomplete
from app.content.kinds import AnswerField, FormAnswerRefused, register_kind, unregister_kind
from app.extensions import db
from app.models import User
from app.services import cohorts
from tests.conftest import PASSWORD, PROJECT_ROOT, Api, Factory, make_app, start_in_a_process
from tests.security.conftest import sharing_the_test_transaction

SAMPLE = PROJECT_ROOT / "tests" / "content" / "sample"

PICK_TWO_QUIZ = """\
id: pairs
title: Pairs
kind: graded
pass_mark: 100
questions:
  - id: colours
    kind: pick-two
    prompt: Which two are colours?
    options:
      - {id: red, text: Red, correct: true}
      - {id: tuesday, text: Tuesday}
      - {id: blue, text: Blue, correct: true}
    explanation: Red and blue.
"""

PICK_TWO_PARTIALS = {
    "quiz.html": """\
{% set f = form[field_name(question)] %}
{% if f.errors %}<p class="error" role="alert">{{ f.errors|join(' ') }}</p>{% endif %}
<ul class="choices" data-pick-two>{% for subfield in f %}<li>{{ subfield() }} {{ subfield.label }}</li>{% endfor %}</ul>
""",
    "result.html": """\
<p class="pick-two-result">You picked {{ question.question_kind.answer_texts(question, entry.selected)|join(' and ') }}.</p>
""",
    "trainer_answer.html": """\
<p class="pick-two-answer">{{ ans.selected|map('last')|join(' + ') }}</p>
""",
}


def pick_two_kind(partials_root: Path) -> type[QuestionKind]:
    """The throwaway kind: tick exactly two options; right when they are the two right ones."""

    class PickTwo(QuestionKind):
        name = "pick-two"

        def check_definition(self, question: Question) -> None:
            if len(self.correct_option_ids(question)) != 2:
                raise ValueError("a pick-two question needs exactly two options with `correct`")

        def answer_fields(self, question: Question) -> list[AnswerField]:
            choices = tuple((o.id, o.text) for o in question.options)
            return [AnswerField("", question.prompt, "checkboxes", choices, "Tick two.")]

        def selection_from_form(self, question: Question, values: Mapping[str, Any]) -> list[str]:
            picked = list(values[""])
            if len(picked) != 2:
                raise FormAnswerRefused("", "Tick exactly two answers.")
            return picked

        def answer_problem(self, question: Question, selected: list[str]) -> str | None:
            problem = super().answer_problem(question, selected)
            return problem or (None if len(selected) == 2 else "choose exactly two options")

        def is_correct(self, question: Question, selected: list[str]) -> bool:
            return set(selected) == set(self.correct_option_ids(question))

    PickTwo.partials_root = partials_root
    return PickTwo


@contextmanager
def registered(kind_class: type[QuestionKind]) -> Iterator[None]:
    """The kind is known inside the block only."""
    register_kind(kind_class)
    try:
        yield
    finally:
        unregister_kind(kind_class.name)


def course_with_pairs(folder: Path) -> Path:
    """The sample course plus the `pairs` quiz of pick-two questions."""
    shutil.copytree(SAMPLE, folder)
    (folder / "quizzes" / "pairs.yaml").write_text(PICK_TWO_QUIZ)
    module = folder / "modules" / "basics.yaml"
    module.write_text(module.read_text().replace("basics-profile]", "basics-profile, pairs]"))
    return folder


@pytest.fixture
def pick_two_app(tmp_path: Path, database_url: str, app: Flask) -> Iterator[Flask]:
    """An app on the sample course plus a `pairs` quiz of pick-two questions, sharing the test's
    transaction; the kind is registered only while the test runs."""
    content = course_with_pairs(tmp_path / "content")
    partials = tmp_path / "templates" / "kinds" / "pick-two"
    partials.mkdir(parents=True)
    for name, text in PICK_TWO_PARTIALS.items():
        (partials / name).write_text(text)
    with registered(pick_two_kind(tmp_path / "templates")):
        other = make_app(database_url, CONTENT_DIR=content)
        with sharing_the_test_transaction(other, app) as shared:
            yield shared


def log_in(client: Any, user: User) -> None:
    client.post("/auth/logout")
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_a_new_kind_is_one_class_plus_its_partials(pick_two_app: Flask, make: Factory):
    learner, trainer = make.user("learner"), make.user("trainer")
    with pick_two_app.app_context():
        cohort = cohorts.create_cohort(db.session.get(User, trainer.id), "Pairs cohort")
        cohorts.join_cohort(db.session.get(User, learner.id), cohort.join_code)
        db.session.commit()
        cohort_id = cohort.id
    client = pick_two_app.test_client()
    log_in(client, learner)

    page = client.get("/quizzes/pairs")
    assert page.status_code == 200
    assert "Which two are colours?" in page.text
    assert "data-pick-two" in page.text
    assert page.text.count('name="q__colours"') == 3

    refused = client.post("/quizzes/pairs", data={"q__colours": ["red"]})
    assert refused.status_code == 422
    assert "Tick exactly two answers." in refused.text

    done = client.post("/quizzes/pairs", data={"q__colours": ["red", "blue"]})
    assert done.status_code == 303
    result = client.get(done.headers["Location"])
    assert '<p class="pick-two-result">You picked Red and Blue.</p>' in result.text
    assert "✓ Passed" in result.text

    api = Api(pick_two_app.test_client(), make.token(learner))
    three = api.post(
        "/quizzes/pairs/attempts", json={"answers": {"colours": ["red", "blue", "tuesday"]}}
    )
    assert three.status_code == 422
    assert "choose exactly two options" in three.text

    log_in(client, trainer)
    view = client.get(f"/trainer/cohorts/{cohort_id}/learners/{learner.id}")
    assert view.status_code == 200
    assert '<p class="pick-two-answer">Red + Blue</p>' in view.text
    items = client.get(f"/trainer/cohorts/{cohort_id}/items")
    assert "Which two are colours?" in items.text
    blue = re.search(r'"option-text">Blue\b.*?"option-count">(\d+) of 1<', items.text, re.S)
    assert blue is not None
    assert blue.group(1) == "1"  # chosen by the one learner
    csv = client.get(f"/trainer/cohorts/{cohort_id}/export/answers.csv")
    assert ",colours," in csv.text
    assert ",yes,red|blue,Red | Blue,yes,1,," in csv.text  # then credit, retake_of, order


def test_a_wrong_pick_is_graded_wrong(pick_two_app: Flask, make: Factory):
    learner = make.user("learner")
    client = pick_two_app.test_client()
    log_in(client, learner)
    done = client.post("/quizzes/pairs", data={"q__colours": ["red", "tuesday"]})
    result = client.get(done.headers["Location"])
    assert "You picked Red and Tuesday." in result.text
    assert "✗ Not right" in result.text


def test_the_kind_is_known_only_while_registered(runner: Any, tmp_path: Path):
    content = course_with_pairs(tmp_path / "content")
    check = ["content", "check", "--dir", str(content)]
    with registered(pick_two_kind(tmp_path / "templates")):
        assert runner.invoke(args=check).exit_code == 0
    result = runner.invoke(args=check)
    assert result.exit_code == 1
    assert "quizzes/pairs.yaml:7: question 'colours': unknown question kind 'pick-two'" in (
        result.output
    )


def test_an_unknown_kind_is_named_at_its_line_with_the_kinds_there_are(runner: Any, tmp_path: Path):
    shutil.copytree(SAMPLE, tmp_path, dirs_exist_ok=True)
    quiz = tmp_path / "quizzes" / "basics-check.yaml"
    quiz.write_text(quiz.read_text().replace("    kind: multiple", "    kind: multiples"))
    result = runner.invoke(args=["content", "check", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    line = quiz.read_text().splitlines().index("    kind: multiples") + 1
    assert (
        f"quizzes/basics-check.yaml:{line}: question 'many': unknown question kind 'multiples' "
        "(did you mean 'multiple'?); the kinds are: multiple, ordering, profile, single"
    ) in result.output


class Unfinished(QuestionKind):
    """A kind that forgot most of its life: no grading, no form, no partials."""

    name = "unfinished"
    scripts = ("unfinished.js",)

    def check_definition(self, question: Question) -> None:
        return None


def test_the_app_refuses_an_incomplete_kind(database_url: str, app: Flask):
    with registered(Unfinished), pytest.raises(QuestionKindsIncomplete) as refused:
        make_app(database_url, CONTENT_DIR=SAMPLE)
    label = "question kind 'unfinished' (Unfinished)"
    assert refused.value.problems == [
        f"{label} does not implement: answer_fields, selection_from_form, is_correct",
        f"{label} names the partial 'kinds/unfinished/quiz.html', which does not exist",
        f"{label} names the partial 'kinds/unfinished/result.html', which does not exist",
        f"{label} names the partial 'kinds/unfinished/trainer_answer.html', which does not exist",
        f"{label} names the script 'unfinished.js', which is not in app/static",
    ]
    make_app(database_url, CONTENT_DIR=SAMPLE)  # complete again once it is gone


def test_run_prints_why_a_kind_is_incomplete(tmp_path: Path):
    code = (
        "from app.content.kinds import QuestionKind, register_kind\n"
        "class Unfinished(QuestionKind):\n"
        "    name = 'unfinished'\n"
        "register_kind(Unfinished)\n"
        "import run\n"
    )
    result = start_in_a_process(SAMPLE, tmp_path / "instance", code)
    assert result.returncode == 1
    assert result.stderr.startswith("Rapport cannot start: a question kind is incomplete:\n")
    assert re.search(
        r"question kind 'unfinished' \(Unfinished\) does not implement: check_definition, "
        r"answer_fields, selection_from_form, is_correct",
        result.stderr,
    )
    assert "Traceback" not in result.stderr


def test_a_kind_name_is_registered_once(app: Flask):
    class Again(QuestionKind):
        name = "single"

    with pytest.raises(ValueError, match="registered already"):
        register_kind(Again)
