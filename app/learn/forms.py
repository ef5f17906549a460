"""The quiz form, built from the inputs each question's kind asks for (see app/content/kinds)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import (
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    SubmitField,
)
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from app.content import Question, Quiz
from app.content.kinds import AnswerField, FormAnswerRefused


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def field_name(question: Question, key: str = "") -> str:
    """The form's name for one input of a question (its kind's AnswerField key)."""
    return f"q__{question.id}" + (f"__{key}" if key else "")


def _choices(spec: AnswerField) -> list[SelectChoice]:
    return [SelectChoice(value, text) for value, text in spec.choices]


# The inputs a question kind may ask for (AnswerField.input), as WTForms fields. Kinds live in
# app/content, which knows no form library; they describe their inputs and this table builds them.
FIELD_TYPES: dict[str, Callable[[AnswerField], Field]] = {
    "radio": lambda spec: RadioField(
        spec.label, choices=_choices(spec), validators=[InputRequired(message=spec.required)]
    ),
    "checkboxes": lambda spec: CheckboxListField(
        spec.label, choices=_choices(spec), validators=[InputRequired(message=spec.required)]
    ),
    "select": lambda spec: SelectField(
        spec.label,
        choices=_choices(spec),
        default=spec.default,
        validators=[InputRequired(message=spec.required)],
    ),
}


class QuizFormBase(FlaskForm):
    attempt_token = HiddenField()
    attempt_number = HiddenField()  # which option order was shown (see services.presentation)
    retake_of = HiddenField()  # the attempt whose missed questions are asked again
    checked = HiddenField()  # feedback: each — the answers checked so far, signed
    submit = SubmitField("Submit answers")
    check = SubmitField("Check this answer")


def build_quiz_form(quiz: Quiz, questions: list[Question], **kwargs: object) -> QuizFormBase:
    """A form class made for these questions of the quiz, instantiated (CSRF included)."""
    fields = {
        field_name(question, spec.key): FIELD_TYPES[spec.input](spec)
        for question in questions
        for spec in question.question_kind.answer_fields(question)
    }
    form_class = type(f"QuizForm_{quiz.id}", (QuizFormBase,), fields)
    form = form_class(**kwargs)
    if not form.attempt_token.data:
        form.attempt_token.data = new_attempt_token()
    return form


def new_attempt_token() -> str:
    """A one-time token for one rendering of a quiz: it makes a double submit count once."""
    return f"{int(time.time())}.{secrets.token_urlsafe(12)}"


def started_at(token: str) -> datetime | None:
    """When the quiz form was shown, from its token (display only; never used for scoring)."""
    stamp = token.partition(".")[0]
    if not stamp.isdigit() or len(stamp) > 10:
        return None
    return datetime.fromtimestamp(int(stamp), UTC).replace(tzinfo=None)


def _checked_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="quiz-checked-answers")


def sign_checked(attempt_token: str, answers: dict[str, list[str]]) -> str:
    """The answers checked so far in a feedback-each quiz, signed so that a learner cannot
    change an answer after seeing its feedback (and bound to this rendering's token)."""
    return _checked_signer().dumps({"t": attempt_token, "a": answers})


def read_checked(attempt_token: str, signed: str) -> dict[str, list[str]]:
    """The checked answers from `sign_checked`; {} when missing, forged or from another try."""
    try:
        data = _checked_signer().loads(signed) if signed else None
    except BadSignature:
        return {}
    if not isinstance(data, dict) or data.get("t") != attempt_token:
        return {}
    answers = data.get("a")
    return answers if isinstance(answers, dict) else {}


def answers_from(form: QuizFormBase, questions: list[Question]) -> dict[str, list[str]] | None:
    """The form's answers as the attempt service takes them; None after adding form errors."""
    answers: dict[str, list[str]] = {}
    ok = True
    for question in questions:
        kind = question.question_kind
        values = {
            spec.key: form[field_name(question, spec.key)].data
            for spec in kind.answer_fields(question)
        }
        try:
            answers[question.id] = kind.selection_from_form(question, values)
        except FormAnswerRefused as refused:
            field = form[field_name(question, refused.key)]
            field.errors = [*field.errors, refused.message]
            ok = False
    return answers if ok else None
