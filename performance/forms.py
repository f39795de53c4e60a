"""Forms: assigning a task, reporting a product, verifying it."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

PERIODS = [("Q1", _l("Quarter 1")), ("Q2", _l("Quarter 2")), ("Q3", _l("Quarter 3")), ("Q4", _l("Quarter 4"))]


class TaskForm(FlaskForm):
    """A task; picked from the catalogue, the standard product gives the title, indicator,
    unit and conversion factor (what is typed in those fields is then ignored)."""

    assignee = SelectField(_l("Assignee"), coerce=int)
    unit = SelectField(_l("… or a unit (its head answers for the task)"), coerce=int, default=0)
    catalogue = SelectField(_l("Standard product from the catalogue"), coerce=int, default=0)
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2020, 2100)])
    quarter = SelectField(_l("Due period"), choices=PERIODS)
    title = StringField(_l("Task"), validators=[Length(max=500)])
    indicator = StringField(_l("Indicator (the product that proves it)"), validators=[Length(max=500)])
    unit_of_measure = StringField(_l("Unit of measure"), validators=[Length(max=100)])
    target = DecimalField(_l("Target value"), validators=[InputRequired(), NumberRange(min=0.0001)])
    factor = DecimalField(_l("Conversion factor to the standard product"), default=1,
                          validators=[InputRequired(), NumberRange(min=0.0001)])
    weight = DecimalField(_l("Weight"), default=1, validators=[InputRequired(), NumberRange(min=0.0001)])
    deadline = DateField(_l("Deadline"), validators=[DataRequired()])
    breakthrough = BooleanField(_l("Breakthrough task"))
    submit = SubmitField(_l("Assign"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if bool(self.assignee.data) == bool(self.unit.data):
            self.assignee.errors.append(_l("Choose either a person or a unit."))
            ok = False
        if not self.catalogue.data:
            for name in ("title", "indicator", "unit_of_measure"):
                if not (self[name].data or "").strip():
                    self[name].errors.append(_l("Required for a task that is not from the catalogue."))
                    ok = False
        return ok


class ReportForm(FlaskForm):
    actual_value = DecimalField(_l("Actual value achieved"), validators=[InputRequired(), NumberRange(min=0)])
    product = TextAreaField(_l("Product (what was delivered, where it can be checked)"),
                            validators=[DataRequired(), Length(max=5000)])
    delivered_on = DateField(_l("Date delivered"), validators=[DataRequired()])
    evidence = FileField(_l("Evidence file (PDF, image, Office document; at most 10 MB)"),
                         validators=[FileSize(10 * 1024 * 1024)])
    submit = SubmitField(_l("Report the product"))


class VerifyForm(FlaskForm):
    accepted_value = DecimalField(_l("Accepted value"), validators=[InputRequired(), NumberRange(min=0)])
    on_time = BooleanField(_l("Delivered on time"))
    quality_met = BooleanField(_l("Quality requirements met"))
    quality_failures = IntegerField(_l("Quality reviews failed (counted)"), default=0,
                                    validators=[Optional(), NumberRange(0, 50)])
    quality_failures_excused = IntegerField(_l("… of which with an objective cause (not counted)"), default=0,
                                            validators=[Optional(), NumberRange(0, 50)])
    delays = IntegerField(_l("Delays (counted)"), default=0, validators=[Optional(), NumberRange(0, 50)])
    delays_excused = IntegerField(_l("… of which with an objective cause (not counted)"), default=0,
                                  validators=[Optional(), NumberRange(0, 50)])
    comment = TextAreaField(_l("Comment"), validators=[Length(max=5000)])
    submit = SubmitField(_l("Verify"))


class CatalogueForm(FlaskForm):
    agency = SelectField(_l("Agency (the product is offered to its whole subtree)"), coerce=int)
    position = StringField(_l("Job position (empty: every position)"), validators=[Length(max=255)])
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    title = StringField(_l("Standard product"), validators=[DataRequired(), Length(max=500)])
    indicator = StringField(_l("Indicator (the product that proves it)"), validators=[Length(max=500)])
    unit_of_measure = StringField(_l("Unit of measure"), validators=[DataRequired(), Length(max=100)])
    factor = DecimalField(_l("Conversion factor to the standard product"), default=1,
                          validators=[InputRequired(), NumberRange(min=0.0001)])
    submit = SubmitField(_l("Add to the catalogue"))


class ChangeRequestForm(FlaskForm):
    """A change to a task of a signed commitment: the new values, or the task's removal."""

    title = StringField(_l("Task"), validators=[DataRequired(), Length(max=500)])
    indicator = StringField(_l("Indicator (the product that proves it)"), validators=[Length(max=500)])
    unit_of_measure = StringField(_l("Unit of measure"), validators=[DataRequired(), Length(max=100)])
    target = DecimalField(_l("Target value"), validators=[InputRequired(), NumberRange(min=0.0001)])
    deadline = DateField(_l("Deadline"), validators=[DataRequired()])
    remove = BooleanField(_l("Remove this task from my list"))
    reason = TextAreaField(_l("Reason for the change"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Ask for the change"))


class ChangeDecisionForm(FlaskForm):
    approve = SelectField(_l("Decision"), choices=[("yes", _l("Approve")), ("no", _l("Reject"))])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Record the decision"))


class ImportForm(FlaskForm):
    file = FileField(_l("Task list (XLSX, the template's columns)"),
                     validators=[FileRequired(), FileAllowed(["xlsx"]), FileSize(5 * 1024 * 1024)])
    submit = SubmitField(_l("Check and import"))


class SplitForm(FlaskForm):
    """A child task of a task one answers for: its own assignee (a person or a unit), target,
    unit of measure, conversion factor and deadline, within the parent's year and period."""

    assignee = SelectField(_l("Assignee"), coerce=int, default=0)
    unit = SelectField(_l("… or a unit (its head answers for the task)"), coerce=int, default=0)
    quarter = SelectField(_l("Due period"), choices=PERIODS)
    title = StringField(_l("Task"), validators=[DataRequired(), Length(max=500)])
    indicator = StringField(_l("Indicator (the product that proves it)"), validators=[DataRequired(), Length(max=500)])
    unit_of_measure = StringField(_l("Unit of measure"), validators=[DataRequired(), Length(max=100)])
    target = DecimalField(_l("Target value"), validators=[InputRequired(), NumberRange(min=0.0001)])
    factor = DecimalField(_l("Conversion factor to the standard product"), default=1,
                          validators=[InputRequired(), NumberRange(min=0.0001)])
    weight = DecimalField(_l("Weight"), default=1, validators=[InputRequired(), NumberRange(min=0.0001)])
    deadline = DateField(_l("Deadline"), validators=[DataRequired()])
    breakthrough = BooleanField(_l("Breakthrough task"))
    submit = SubmitField(_l("Add the child task"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if bool(self.assignee.data) == bool(self.unit.data):
            self.assignee.errors.append(_l("Choose either a person or a unit."))
            ok = False
        return ok
