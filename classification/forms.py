"""Forms: rating settings and the general-criteria points of one period."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (DateField, DateTimeLocalField, DecimalField, IntegerField, RadioField, SelectField, StringField,
                     SubmitField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

import labels

# Decree 335/2025 Mẫu số 01, table I (FORMS.md): criterion code → (label, maximum points).
CRITERIA = [
    ("I.1", _l("Political and moral qualities, public-service culture"), Decimal("5")),
    ("I.2", _l("Discipline and order in public service"), Decimal("5")),
    ("II.1", _l("Professional competence required by the job position"), Decimal("2.5")),
    ("II.2", _l("Ability to handle regular and unplanned tasks"), Decimal("2.5")),
    ("II.3", _l("Sense of responsibility in public service"), Decimal("2.5")),
    ("II.4", _l("Attitude to citizens and businesses; cooperation with colleagues"), Decimal("2.5")),
    ("III.1", _l("Breakthrough or creative products and solutions with real effect"), Decimal("2.5")),
    ("III.2", _l("Readiness for special, sudden or hard assignments"), Decimal("2.5")),
    ("III.3", _l("Owning results; admitting and fixing mistakes"), Decimal("2.5")),
    ("III.4", _l("Deciding within one's authority; leading on new tasks"), Decimal("2.5")),
]


def field_name(code: str) -> str:
    return "c_" + code.replace(".", "_")


def general_form_class(leader: bool = False):
    """A form class with one points field per criterion, each bounded by its maximum; for a
    leader also the components đ and e of Decree 335 Art. 15 as percentages (FORMS.md)."""
    attrs = {field_name(code): DecimalField(label, places=2,
                                            validators=[InputRequired(), NumberRange(min=0, max=float(maximum))])
             for code, label, maximum in CRITERIA}
    if leader:
        for name, label in (("org_capacity", _l("Capacity to organise implementation (đ, %)")),
                            ("unity", _l("Capacity to unite the civil servants managed (e, %)"))):
            attrs[name] = DecimalField(label, places=0, validators=[InputRequired(), NumberRange(min=0, max=100)])
    attrs["submit"] = SubmitField(_l("Save points"))
    return type("GeneralForm", (FlaskForm,), attrs)


class SettingsForm(FlaskForm):
    test_rule = SelectField(_l("How the competency test enters the rating"),
                            choices=list(labels.TEST_RULES.items()))
    test_weight = DecimalField(_l("Points the test can give (W)"), places=2,
                               validators=[InputRequired(), NumberRange(min=0, max=10)],
                               description=_l("2.5 = criterion II.1 of the official form; 10 = the whole group II."))
    quota_denominator = SelectField(_l("Quota on Excellent"), choices=list(labels.QUOTA_DENOMINATORS.items()))
    complaint_days = IntegerField(_l("Days for complaints after publication"), default=15,
                                  validators=[Optional(), NumberRange(min=1, max=90)],
                                  description=_l("A local setting: the complaints article of Decree 335/2025 was not "
                                                 "read, check the number against it."))
    submit = SubmitField(_l("Save settings"))


class ReasonForm(FlaskForm):
    """A workflow step that needs a reason (return to draft, reopen, remove an exception)."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Confirm"))


class DecisionForm(FlaskForm):
    """The council's decision on one person: confirm or change the level."""

    level = SelectField(_l("Level decided by the council"),
                        choices=[(k, labels.LEVELS[k]) for k in ("EXCELLENT", "GOOD", "COMPLETED", "NOT_COMPLETED")])
    reason = TextAreaField(_l("Reason (required when the level changes or the case was marked for the council)"),
                           validators=[Length(max=2000)])
    submit = SubmitField(_l("Record the decision"))


class QuotaExceptionForm(FlaskForm):
    """Decree 335 Art. 20 cl. 5(b): the competent level's decision for an outstanding unit."""

    ceiling = DecimalField(_l("Ceiling (percentage of the number rated Good)"), places=2, default=25,
                           validators=[InputRequired(), NumberRange(min=20, max=25)])
    reference = StringField(_l("Decision (number, issuer)"), validators=[DataRequired(), Length(max=255)])
    decided_on = DateField(_l("Date of the decision"), validators=[DataRequired()])
    submit = SubmitField(_l("Record the exception"))


class AchievementForm(FlaskForm):
    person = SelectField(_l("Person"), coerce=int)
    kind = SelectField(_l("Achievement"), choices=list(labels.ACHIEVEMENTS.items()))
    reference = StringField(_l("Decision or reference"), validators=[DataRequired(), Length(max=255)])
    submit = SubmitField(_l("Record the achievement"))


FOUR_LEVELS = [(k, labels.LEVELS[k]) for k in ("EXCELLENT", "GOOD", "COMPLETED", "NOT_COMPLETED")]

# Decree 90/2020 Mẫu số 02, section I (FORMS.md Form 1): item → label; 7–9 for leaders only.
YEARLY_ITEMS = [
    ("1", _l("Political thought")),
    ("2", _l("Ethics and lifestyle")),
    ("3", _l("Working style and manner")),
    ("4", _l("Sense of organisation and discipline")),
    ("5", _l("Results of the duties and tasks assigned (work done, completion rate, quality, timeliness)")),
    ("6", _l("Attitude in serving citizens and businesses (posts that deal with them directly)")),
    ("7", _l("Results of the agency or unit you manage")),
    ("8", _l("Leadership and management capacity")),
    ("9", _l("Capacity to bring people together and keep them united")),
]


def yearly_form_class(leader: bool):
    """Sections I and II of Mẫu số 02: one text per item (7–9 for leaders), own view, own level."""
    attrs = {f"item_{code}": TextAreaField(label, validators=[Optional(), Length(max=4000)])
             for code, label in YEARLY_ITEMS if leader or int(code) <= 6}
    attrs["self_comment"] = TextAreaField(_l("Own view of strengths and weaknesses"),
                                          validators=[DataRequired(), Length(max=4000)])
    attrs["self_level"] = SelectField(_l("Self-chosen level"), choices=FOUR_LEVELS, validators=[DataRequired()])
    attrs["submit"] = SubmitField(_l("Submit my assessment"))
    return type("YearlySelfForm", (FlaskForm,), attrs)


class ReviewForm(FlaskForm):
    """Mẫu số 02 section III: the supervisor's view and proposed level."""

    review_comment = TextAreaField(_l("Strengths and weaknesses as you see them"),
                                   validators=[DataRequired(), Length(max=4000)])
    review_level = SelectField(_l("Proposed level"), choices=FOUR_LEVELS, validators=[DataRequired()])
    submit = SubmitField(_l("Record the review"))


class ProposeForm(FlaskForm):
    """Propose to the council; the reason is needed only while reviews are missing."""

    reason = TextAreaField(_l("Why propose before every review is in"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Propose to the council"))


class PublishForm(FlaskForm):
    published_at = DateTimeLocalField(_l("Publish at (local time)"), format="%Y-%m-%dT%H:%M",
                                      validators=[DataRequired()])
    submit = SubmitField(_l("Set the publication time"))

    def published_at_utc(self):
        from zoneinfo import ZoneInfo

        from flask import current_app

        zone = ZoneInfo(current_app.config["TIMEZONE"])
        return self.published_at.data.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))


class ComplaintForm(FlaskForm):
    text = TextAreaField(_l("Your complaint"), validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField(_l("File the complaint"))


class AnswerForm(FlaskForm):
    """The council's answer to a complaint."""

    outcome = RadioField(_l("Answer"), choices=[("rejected", _l("Rejected: the level stands")),
                                                ("upheld", _l("Upheld: the level changes"))],
                         validators=[DataRequired()])
    new_level = SelectField(_l("New level (when upheld)"), choices=[("", "—")] + FOUR_LEVELS,
                            validators=[Optional()])
    answer = TextAreaField(_l("The council's answer"), validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField(_l("Record the answer"))
