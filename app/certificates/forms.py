from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.services.certificates import MAX_REASON


class RevokeForm(FlaskForm):
    reason = StringField(
        "Reason",
        validators=[DataRequired(), Length(max=MAX_REASON)],
        description="Shown to anyone who checks the certificate.",
    )
