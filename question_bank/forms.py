"""Forms of the question bank."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp

ALLOWED = ["gift", "txt", "xml", "xlsx", "csv", "zip"]


class ImportForm(FlaskForm):
    file = FileField(_l("Question file"), validators=[
        FileRequired(), FileAllowed(ALLOWED, _l("Allowed: GIFT, Moodle XML, Aiken, QTI (zip or xml), XLSX, CSV."))],
        description=_l("The format is detected from the content and the extension."))
    skip_invalid = BooleanField(_l("Import the valid questions and skip the invalid ones"))
    submit = SubmitField(_l("Import"))


class BankForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=60), Regexp(r"^[A-Za-z0-9_.-]+$")])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=255)])
    field = StringField(_l("Field"), validators=[Length(max=255)])
    agency = SelectField(_l("Owning agency"), coerce=int)
    submit = SubmitField(_l("Create bank"))
