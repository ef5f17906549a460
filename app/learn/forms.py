"""The quiz form, built from a quiz's questions through one field builder per question kind."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime

from flask_wtf import FlaskForm
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


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def field_name(question: Question, option_id: str | None = None) -> str:
    return f"q__{question.id}" + (f"__{option_id}" if option_id else "")


def _choice_field(question: Question) -> dict[str, Field]:
    return {
        field_name(question): RadioField(
            question.prompt,
            choices=[SelectChoice(o.id, o.text) for o in question.display_options],
            validators=[InputRequired(message="Choose an answer.")],
        )
    }


def _checkbox_field(question: Question) -> dict[str, Field]:
    return {
        field_name(question): CheckboxListField(
            question.prompt,
            choices=[SelectChoice(o.id, o.text) for o in question.display_options],
            validators=[InputRequired(message="Tick at least one answer.")],
        )
    }


def _ordering_fields(question: Question) -> dict[str, Field]:
    positions = [SelectChoice(str(n), str(n)) for n in range(1, len(question.options) + 1)]
    return {
        field_name(question, option.id): SelectField(
            option.text,
            choices=positions,
            default=str(index),
            validators=[InputRequired(message="Give this step a position.")],
        )
        for index, option in enumerate(question.display_options, 1)
    }


FIELD_BUILDERS: dict[str, Callable[[Question], dict[str, Field]]] = {
    "single": _choice_field,
    "profile": _choice_field,
    "multiple": _checkbox_field,
    "ordering": _ordering_fields,
}


class QuizFormBase(FlaskForm):
    attempt_token = HiddenField()
    submit = SubmitField("Submit answers")


def build_quiz_form(quiz: Quiz, **kwargs) -> QuizFormBase:  # noqa: ANN003
    """A form class made for this quiz, instantiated (CSRF included)."""
    fields: dict[str, Field] = {}
    for question in quiz.questions:
        fields.update(FIELD_BUILDERS[question.kind](question))
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


def answers_from(form: QuizFormBase, quiz: Quiz) -> dict[str, list[str]] | None:
    """The form's answers as the attempt service takes them; None after adding form errors."""
    answers: dict[str, list[str]] = {}
    ok = True
    for question in quiz.questions:
        if question.kind == "ordering":
            chosen = {
                option.id: form[field_name(question, option.id)].data for option in question.options
            }
            positions = sorted(chosen.values(), key=lambda p: int(p) if str(p).isdigit() else 0)
            if positions != [str(n) for n in range(1, len(question.options) + 1)]:
                first = form[field_name(question, question.display_options[0].id)]
                first.errors = [
                    *first.errors,
                    "Use each position once: 1 for the first step, and so on.",
                ]
                ok = False
                continue
            answers[question.id] = sorted(chosen, key=lambda option_id: int(chosen[option_id]))
        else:
            data = form[field_name(question)].data
            answers[question.id] = list(data) if isinstance(data, list) else [data]
    return answers if ok else None
