"""Forms of the question bank (the editor's forms are in ``editor.py``)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

import labels

ALLOWED = ["gift", "txt", "xml", "xlsx", "csv", "zip"]


class ImportForm(FlaskForm):
    file = FileField(_l("Question file"), validators=[
        FileRequired(), FileAllowed(ALLOWED, _l("Allowed: GIFT, Moodle XML, Aiken, QTI (zip or xml), XLSX, CSV."))],
        description=_l("The format is detected from the content and the extension."))
    skip_invalid = BooleanField(_l("Import the valid questions and skip the invalid ones"))
    skip_duplicates = BooleanField(_l("Skip questions already in the bank (same text and key)"))
    submit = SubmitField(_l("Import"))


class BankForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=60), Regexp(r"^[A-Za-z0-9_.-]+$")])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=255)])
    field = StringField(_l("Field"), validators=[Length(max=255)])
    agency = SelectField(_l("Owning agency"), coerce=int)
    submit = SubmitField(_l("Create bank"))


class SearchForm(FlaskForm):
    """The bank page's filters, read from the query string."""

    class Meta:
        csrf = False

    category = IntegerField(validators=[Optional()])
    q = StringField(_l("Search"), validators=[Length(max=200)])
    qtype = SelectField(_l("Type"), default="", choices=[("", _l("All types")), *labels.QTYPES.items()])
    status = SelectField(_l("Status"), default="", choices=[("", _l("All statuses")),
                                                             *labels.QUESTION_STATUSES.items()])
    tag = StringField(_l("Tag"), validators=[Length(max=100)])
    difficulty = SelectField(_l("Difficulty"), default="", choices=[("", _l("Any difficulty")), *labels.DIFFICULTIES.items(),
                                                         ("none", _l("Not set"))])
    uses_min = IntegerField(_l("Used at least"), validators=[Optional(), NumberRange(min=0)])
    uses_max = IntegerField(_l("Used at most"), validators=[Optional(), NumberRange(min=0)])
    page = IntegerField(validators=[Optional(), NumberRange(min=1)])


class ReasonForm(FlaskForm):
    """A workflow step; the reason is kept in the audit log."""

    reason = StringField(_l("Reason"), validators=[Length(max=500)])


class BulkForm(FlaskForm):
    """A bulk workflow step on a bank, optionally limited to a category subtree."""

    category = HiddenField()
