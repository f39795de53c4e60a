"""A person's own account: password, two-factor login, open sessions, and their personal data;
an administrator's audited view of another person's data (Decree 13/2023/NĐ-CP)."""
from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts import audit, personal_data, services, sessions, twofactor
from accounts.forms import ConfirmPasswordForm, DataAccessForm, EmptyForm, EnrolForm, PasswordForm
from accounts.models import Role, User
from accounts.permissions import require_reach, role_required
from accounts.policy import access
from db_types import utcnow
from extensions import db

bp = Blueprint("account", __name__, url_prefix="/account")
DATA_VIEWERS = (Role.HR_OFFICER, Role.ADMIN)


@bp.route("/")
@login_required
def security():
    return render_template("accounts/security.html", sessions=sessions.open_sessions(current_user),
                           codes_left=twofactor.recovery_codes_left(current_user),
                           required=twofactor.required_for(current_user), form=EmptyForm())


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("This is not your current password."))
        else:
            user = current_user._get_current_object()
            services.change_password(user, form.new.data)
            sessions.start(user, second_factor=user.has_totp)
            db.session.commit()
            flash(_("Password changed. Your other sessions were logged out."), "success")
            return redirect(url_for("account.security"))
    return render_template("accounts/password.html", form=form)


@bp.route("/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    if EmptyForm().validate_on_submit():
        user = current_user._get_current_object()
        sessions.end_all(user)
        sessions.start(user, second_factor=user.has_totp)
        db.session.commit()
        flash(_("Every other session was logged out."), "success")
    return redirect(url_for("account.security"))


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Enrol: the secret as text and as an otpauth URI (and its QR code), confirmed by a code."""
    user = current_user._get_current_object()
    if user.has_totp:
        return redirect(url_for("account.security"))
    secret = twofactor.begin(user)
    db.session.commit()
    form = EnrolForm()
    if form.validate_on_submit():
        codes = twofactor.confirm(user, form.code.data)
        if codes:
            sessions.log_event("2fa_enrolled", user)
            db.session.commit()
            return render_template("accounts/recovery_codes.html", codes=codes)
        db.session.commit()
        form.code.errors.append(_("That code does not match. Check the time on your phone and try again."))
    uri = twofactor.uri(user, secret)
    return render_template("accounts/two_factor.html", form=form, secret=secret, uri=uri, qr=twofactor.qr_svg(uri))


@bp.route("/two-factor/recovery-codes", methods=["POST"])
@login_required
def new_recovery_codes():
    form = ConfirmPasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit() and user.has_totp and user.check_password(form.password.data):
        codes = twofactor.new_recovery_codes(user)
        sessions.log_event("2fa_new_codes", user)
        db.session.commit()
        return render_template("accounts/recovery_codes.html", codes=codes)
    flash(_("Wrong password: nothing was changed."), "danger")
    return redirect(url_for("account.security"))


@bp.route("/two-factor/off", methods=["POST"])
@login_required
def two_factor_off():
    form = ConfirmPasswordForm()
    user = current_user._get_current_object()
    if twofactor.enforced_for(user):
        flash(_("Your roles require two-factor login; it cannot be turned off."), "danger")
    elif form.validate_on_submit() and user.check_password(form.password.data):
        twofactor.disable(user)
        sessions.log_event("2fa_disabled", user)
        db.session.commit()
        flash(_("Two-factor login is off."), "success")
    else:
        flash(_("Wrong password: nothing was changed."), "danger")
    return redirect(url_for("account.security"))


# ---- personal data --------------------------------------------------------------------

def _download(data: dict, user: User, fmt: str) -> Response:
    stamp = utcnow().strftime("%Y%m%d")
    if fmt == "xlsx":
        body, mime = personal_data.as_xlsx(data), \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, mime = personal_data.as_json(data), "application/json"
    name = f"du-lieu-ca-nhan-{user.username}-{stamp}.{fmt}"
    return Response(body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                  "X-Content-Type-Options": "nosniff",
                                                  "Cache-Control": "no-store"})


@bp.route("/data")
@bp.route("/data.<any(json, xlsx):fmt>")
@login_required
def my_data(fmt=None):
    """Everything the platform holds about the logged-in person, as a page, JSON or XLSX."""
    data = personal_data.collect(current_user)
    if fmt:
        return _download(data, current_user, fmt)
    return render_template("accounts/personal_data.html", data=data, person=current_user, own=True)


@bp.route("/people/<int:user_id>/data", methods=["GET", "POST"])
@role_required(*DATA_VIEWERS)
@access(reach=DATA_VIEWERS, note="the purpose is stated and the access audited")
def person_data(user_id):
    """An HR officer's or administrator's view of a person's data: the purpose is asked for
    and the access itself is written to the audit log (the person sees it in their data)."""
    person = db.get_or_404(User, user_id)
    require_reach(current_user, person.agency, *DATA_VIEWERS)
    form = DataAccessForm()
    if not form.validate_on_submit():
        return render_template("accounts/data_access.html", form=form, person=person)
    audit.record("personal_data.view", person, actor=current_user, reason=form.purpose.data,
                 after={"output": form.output.data})
    db.session.commit()
    data = personal_data.collect(person)
    if form.output.data in ("json", "xlsx"):
        return _download(data, person, form.output.data)
    return render_template("accounts/personal_data.html", data=data, person=person, own=False)
