"""Login (password, then a TOTP code where enrolled), logout, language, the home dashboard,
the agency tree and staff lists."""
import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts import queries, services, sessions, twofactor
from accounts.auth import is_safe_next
from accounts.forms import EmptyForm, LoginForm, SecondFactorForm
from accounts.models import Agency, Role, User
from accounts.permissions import can_reach, require_reach, role_required
from accounts.policy import access, public
from extensions import db, limiter

bp = Blueprint("accounts", __name__)

STAFF_VIEWERS = (Role.HR_OFFICER, Role.ADMIN, Role.SUPERVISOR, Role.HEAD, Role.EXAM_ADMIN)
PENDING_SECONDS = 300  # time allowed between the password and the second factor


def _login_key() -> str:
    """Rate-limit per account, not per address only (agencies sit behind one NAT, DECISIONS 19)."""
    return "login:" + ((request.form.get("username") or "").strip().lower() or request.remote_addr or "")


def _pending_key() -> str:
    return "2fa:" + str((session.get("2fa") or {}).get("uid", request.remote_addr))


def _failed(response) -> bool:
    """Only failed logins count against the address limit (a NAT shares one address)."""
    return response.status_code != 302


def _failure_message() -> str:
    return _("Wrong username or password. After %(n)d failures in a row an account is locked for "
             "%(m)d minutes.", n=current_app.config["LOGIN_MAX_FAILURES"],
             m=current_app.config["LOGIN_LOCK_MINUTES"])


def _target(next_url: str | None) -> str:
    return next_url if is_safe_next(next_url) else url_for("accounts.home")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"], key_func=_login_key, methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ADDRESS"], methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            db.session.commit()
            flash(_failure_message(), "danger")
        elif user.has_totp:
            db.session.commit()
            session.clear()
            session["2fa"] = {"uid": user.id, "v": user.session_version, "at": int(time.time()),
                              "next": form.next.data or ""}
            return redirect(url_for("accounts.second_factor"))
        else:
            sessions.start(user)
            db.session.commit()
            return redirect(_target(form.next.data))
    return render_template("accounts/login.html", form=form)


def _pending_user() -> User | None:
    pending = session.get("2fa") or {}
    user = db.session.get(User, pending.get("uid", 0)) if pending else None
    fresh = int(time.time()) - int(pending.get("at", 0)) <= PENDING_SECONDS
    if user is None or not fresh or user.session_version != pending.get("v") or not user.has_totp:
        return None
    return user


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", key_func=_pending_key, methods=["POST"])
def second_factor():
    """The second step of a login for a person who enrolled TOTP: a code or a recovery code."""
    user = _pending_user()
    if user is None:
        session.pop("2fa", None)
        return redirect(url_for("accounts.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        code = form.code.data.strip()
        recovery = not code.replace(" ", "").isdigit()
        ok = (not services.is_locked(user)) and (
            twofactor.use_recovery_code(user, code) if recovery else twofactor.check_code(user, code))
        if ok:
            target = session["2fa"].get("next")
            user.failed_logins = 0
            sessions.start(user, second_factor=True)
            if recovery:
                sessions.log_event("recovery_code", user)
                flash(_("You used a recovery code; %(n)d left.", n=twofactor.recovery_codes_left(user)), "warning")
            db.session.commit()
            return redirect(_target(target))
        if not services.is_locked(user):
            services.register_failure(user)
        db.session.commit()
        flash(_("That code is not valid."), "danger")
    return render_template("accounts/second_factor.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
@access(note="ends the caller's own session")
def logout():
    if EmptyForm().validate_on_submit():
        sessions.end("logout")
        db.session.commit()
    return redirect(url_for("accounts.login"))


@bp.route("/lang/<code>", methods=["POST"])
@public
def set_language(code):
    if code not in ("vi", "en") or not EmptyForm().validate_on_submit():
        abort(400)
    session["lang"] = code
    target = request.referrer or ""
    path = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else "/"
    return redirect(path if is_safe_next(path) else url_for("accounts.home"))


@bp.route("/")
@login_required
def home():
    from dashboard import summary

    from exam.services import window_open

    return render_template("accounts/home.html", summary=summary(current_user), window_open=window_open)


@bp.route("/agencies")
@role_required(*STAFF_VIEWERS)
def agencies():
    return render_template("accounts/agencies.html", tree=queries.agency_tree(current_user, *STAFF_VIEWERS))


@bp.route("/agencies/<int:agency_id>")
@role_required(*STAFF_VIEWERS)
@access(reach=STAFF_VIEWERS)
def agency_staff(agency_id):
    agency = db.get_or_404(Agency, agency_id)
    require_reach(current_user, agency, *STAFF_VIEWERS)
    staff = queries.staff_in_scope(current_user, *STAFF_VIEWERS, agency=agency)
    return render_template("accounts/staff.html", agency=agency, staff=staff)


@bp.route("/people/<int:user_id>")
@login_required
@access(owner=True, reach=STAFF_VIEWERS)
def person(user_id):
    person = db.get_or_404(User, user_id)
    if person.id != current_user.id:
        require_reach(current_user, person.agency, *STAFF_VIEWERS)
    from accounts.reset import ISSUERS
    can_reset = person.id != current_user.id and can_reach(current_user, person.agency, *ISSUERS)
    return render_template("accounts/person.html", person=person, manager=queries.direct_manager(person),
                           can_reset=can_reset)
