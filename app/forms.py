"""Forms that more than one blueprint uses (blueprints never import each other's forms)."""

from flask_wtf import FlaskForm
from wtforms import SubmitField


class ConfirmForm(FlaskForm):
    """Only a CSRF token and a button, for actions such as logging out or removing a learner."""

    submit = SubmitField("Confirm")
