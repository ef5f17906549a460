from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Regexp

CHOICES = [
    SelectChoice("rescore", "Rescore: re-grade the older answers with today's key"),
    SelectChoice("keep", "Keep: leave them as they were scored"),
    SelectChoice("void", "Void: take this question out of those attempts' scores"),
]


class DecisionForm(FlaskForm):
    question = HiddenField(
        validators=[DataRequired(), Regexp(r"^[a-z0-9-]{1,64}/[a-z0-9-]{1,64}$")]
    )
    decision = RadioField("Decision", choices=CHOICES, validators=[DataRequired()])
    force = BooleanField("Also when it turns passes into fails")
    submit = SubmitField("Record the decision")


class RevertForm(FlaskForm):
    question = HiddenField(
        validators=[DataRequired(), Regexp(r"^[a-z0-9-]{1,64}/[a-z0-9-]{1,64}$")]
    )
    submit = SubmitField("Revert")
