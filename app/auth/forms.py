from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from app.services.accounts import PASSWORD_MAX, PASSWORD_MIN


class RegisterForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    # Length and guessability are checked by services.accounts.password_problem, the one rule.
    password = PasswordField(
        "Password",
        validators=[DataRequired()],
        description=f"At least {PASSWORD_MIN} characters. A short sentence works well.",
    )
    submit = SubmitField("Create account")


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    submit = SubmitField("Log in")


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired()],
        description=f"At least {PASSWORD_MIN} characters.",
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )
    submit = SubmitField("Save password")


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX)]
    )


class TokenForm(FlaskForm):
    label = StringField("What the token is for", validators=[Length(max=80)])
    submit = SubmitField("Create token")


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        "Your password, to confirm", validators=[DataRequired(), Length(max=PASSWORD_MAX)]
    )
    submit = SubmitField("Delete my account")
