"""Forms of the accounts feature."""
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from accounts import passwords


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class EmptyForm(FlaskForm):
    """A POST-only button (logout, open, submit): carries the CSRF token and nothing else."""

    submit = SubmitField(_l("Confirm"))


class SecondFactorForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app, or a recovery code"),
                       validators=[DataRequired(), Length(max=20)])
    submit = SubmitField(_l("Verify"))


class EnrolForm(FlaskForm):
    code = StringField(_l("The 6-digit code your app shows now"), validators=[DataRequired(), Length(max=10)])
    submit = SubmitField(_l("Turn on two-factor login"))


class ConfirmPasswordForm(FlaskForm):
    """Re-enter the password before a sensitive change (new recovery codes, 2FA off)."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Confirm"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)],
                        description=_l("At least 10 characters; not a common password, not your name."))
    confirm = PasswordField(_l("New password again"),
                            validators=[DataRequired(), EqualTo("new", message=_l("The two entries differ."))])
    submit = SubmitField(_l("Change password"))

    def validate_new(self, field):
        found = passwords.problems(field.data or "", username=current_user.username,
                                   full_name=current_user.full_name)
        if found:
            raise ValidationError(" ".join(str(p) for p in found))


class DataAccessForm(FlaskForm):
    """An administrator states why they open a person's data (Decree 13/2023: a purpose)."""

    purpose = TextAreaField(_l("Purpose of this access"), validators=[DataRequired(), Length(min=10, max=500)])
    output = RadioField(_l("Show as"), choices=[("page", _l("Page")), ("json", "JSON"), ("xlsx", "XLSX")],
                        default="page")
    submit = SubmitField(_l("Open the data (this access is recorded)"))
