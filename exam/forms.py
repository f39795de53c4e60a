"""Exam forms: the exam with its blueprint rules, and the examinee's buttons."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateTimeLocalField, DecimalField, FieldList, Form, FormField, IntegerField,
                     PasswordField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import Select

from labels import DIFFICULTIES, QTYPES


class DropDown(Select):
    """A one-line <select>: the blueprint table gives its cells a ``size``, which on a
    <select> would make a list box, so it is dropped."""

    def __call__(self, field, **kwargs):
        kwargs.pop("size", None)
        return super().__call__(field, **kwargs)


class RuleForm(Form):
    category = SelectField(_l("Category"), coerce=int, validate_choice=False)
    count = IntegerField(_l("Questions"), validators=[Optional(), NumberRange(min=1, max=500)])
    mark = DecimalField(_l("Mark each"), default=1, places=2, validators=[Optional(), NumberRange(min=0.01, max=100)])
    # The question's level (labels.DIFFICULTIES); "" = any difficulty (stored as None).
    difficulty = SelectField(_l("Difficulty"), choices=[("", _l("any"))] + list(DIFFICULTIES.items()), default="",
                             validate_choice=True, widget=DropDown())
    qtype = SelectField(_l("Type"), choices=[("", "—")] + [(k, v) for k, v in QTYPES.items() if k != "description"],
                        validate_choice=True, default="")


class ExamForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=60), Regexp(r"^[A-Za-z0-9_.-]+$")])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=255)])
    year = IntegerField(_l("Rating year"), validators=[DataRequired(), NumberRange(min=2020, max=2100)])
    agency = SelectField(_l("Organising agency"), coerce=int)
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=60, validators=[DataRequired(), NumberRange(1, 600)])
    pass_percent = IntegerField(_l("Pass mark (percentage of the maximum)"), default=50, validators=[DataRequired(), NumberRange(0, 100)])
    window_start = DateTimeLocalField(_l("Window opens"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M")
    window_end = DateTimeLocalField(_l("Window closes"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M")
    shuffle_questions = BooleanField(_l("Shuffle the questions"), default=True)
    shuffle_answers = BooleanField(_l("Shuffle the options"), default=True)
    audience_agencies = SelectMultipleField(_l("Audience: agencies"), coerce=int, validators=[DataRequired()])
    audience_position = StringField(_l("Audience: only this job position (optional)"), validators=[Length(max=255)])
    navigation = SelectField(_l("Navigation"), default="free", choices=[
        ("free", _l("Free: any question in any order")),
        ("sequential", _l("Sequential: one question per page, no going back"))])
    avoid_seen_years = IntegerField(_l("Avoid questions a person saw in the last N years (0 = no)"), default=0,
                                    validators=[Optional(), NumberRange(0, 10)])
    exam_password = PasswordField(_l("Exam password (optional, given out in the room)"),
                                  validators=[Optional(), Length(max=100)])
    allowed_networks = TextAreaField(_l("Allowed address ranges (optional, one CIDR range a line)"),
                                     validators=[Optional(), Length(max=2000)])
    anonymous_marking = BooleanField(_l("Anonymous marking"))
    double_marking = BooleanField(_l("Double marking with reconciliation"))
    rules = FieldList(FormField(RuleForm), min_entries=6, max_entries=30, label=_l("Blueprint"))
    submit = SubmitField(_l("Create the exam"))

    def _utc(self, value: datetime):
        zone = ZoneInfo(current_app.config["TIMEZONE"])
        return value.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))

    def window_start_utc(self):
        return self._utc(self.window_start.data)

    def window_end_utc(self):
        return self._utc(self.window_end.data)

    def validate_window_end(self, field):
        if self.window_start.data and field.data and field.data <= self.window_start.data:
            raise ValidationError(_l("The window must close after it opens."))

    def validate_allowed_networks(self, field):
        from exam.access import parse_networks

        try:
            parse_networks(field.data or "")
        except ValueError as exc:
            raise ValidationError(_l("Not an address range: %(error)s", error=str(exc))) from exc

    def validate_rules(self, field):
        if not any(r["category"] and r["count"] for r in field.data):
            raise ValidationError(_l("Add at least one rule: a category and a number of questions."))


class StartForm(FlaskForm):
    """The start button; the password field is shown only when the exam has one."""

    password = PasswordField(_l("Exam password"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Start the test"))


class NextForm(FlaskForm):
    position = IntegerField(validators=[DataRequired()])
    submit = SubmitField(_l("Save and go to the next question"))


class TimeForm(FlaskForm):
    """Extend, pause or resume a whole sitting (no attempt) or one attempt."""

    action = SelectField(_l("Action"), choices=[("extend", _l("Extend by minutes")), ("pause", _l("Pause")),
                                                ("resume", _l("Resume"))])
    minutes = IntegerField(_l("Minutes"), default=0, validators=[Optional(), NumberRange(-600, 600)])
    attempt_id = IntegerField(validators=[Optional()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Apply"))


class AccommodationForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    extra_percent = IntegerField(_l("Extra time (percentage of the duration)"), default=0, validators=[NumberRange(0, 200)])
    extra_minutes = IntegerField(_l("Extra minutes"), default=0, validators=[NumberRange(0, 600)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Grant extra time"))


class DecisionForm(FlaskForm):
    """Accept or reject a late save."""

    accept = SelectField(_l("Decision"), choices=[("1", _l("Accept and re-grade")), ("0", _l("Reject"))])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Decide"))


class PointsForm(FlaskForm):
    """A marker's points, or the admin's override/reconciliation (reason required there)."""

    points = DecimalField(_l("Points"), places=2, validators=[InputRequired(message=_l("Give the points.")),
                                                              NumberRange(min=0)])
    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Save the points"))


class RegradeForm(FlaskForm):
    question_id = IntegerField(_l("Question number (id)"), validators=[DataRequired()])
    kind = SelectField(_l("Kind"), choices=[("key", _l("The key was corrected: grade with the current version")),
                                            ("exclude", _l("Exclude the question: it counts 0 of 0"))])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Preview the regrade"))


class PracticeForm(FlaskForm):
    bank = SelectField(_l("Question bank"), coerce=int)
    count = IntegerField(_l("Questions"), default=10, validators=[NumberRange(1, 50)])
    submit = SubmitField(_l("Start practising"))
