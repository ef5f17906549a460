from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.services.cohorts import DESCRIPTION_MAX, NAME_MAX


class CohortForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=NAME_MAX)])
    description = TextAreaField(
        "Description",
        validators=[Length(max=DESCRIPTION_MAX)],
        description="Optional: who the cohort is and when it runs.",
    )
    submit = SubmitField("Create cohort")


class AddLearnersForm(FlaskForm):
    emails = TextAreaField(
        "Email addresses",
        validators=[DataRequired(), Length(max=100_000)],
        description=(
            "One per line, or separated by commas. Write 'Name <email>' to give a new "
            "learner's name."
        ),
    )
    submit = SubmitField("Add learners")


class UploadLearnersForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[
            FileRequired("Choose a CSV file."),
            FileAllowed(["csv"], "Choose a .csv file."),
        ],
        description="A spreadsheet saved as CSV (UTF-8) with the columns name and email, "
        "a header row first, at most 256 KB.",
    )
    submit = SubmitField("Upload and add")


class TrainerForm(FlaskForm):
    email = EmailField(
        "Co-trainer's email",
        validators=[DataRequired(), Length(max=254)],
        description="They need an account with the trainer role.",
    )
    submit = SubmitField("Add co-trainer")
