"""Login, logout, language, the home dashboard, the agency tree and staff lists."""
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from accounts import queries
from accounts.auth import is_safe_next
from accounts.forms import EmptyForm, LoginForm
from accounts.models import Agency, Role, User
from accounts.permissions import require_reach, role_required
from extensions import db, limiter

bp = Blueprint("accounts", __name__)

STAFF_VIEWERS = (Role.HR_OFFICER, Role.ADMIN, Role.SUPERVISOR, Role.HEAD, Role.EXAM_ADMIN)


def _login_key() -> str:
    """Rate-limit per account, not per address only (agencies sit behind one NAT, DECISIONS 19)."""
    return (request.form.get("username") or "").strip().lower() or request.remote_addr or ""


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", key_func=_login_key, methods=["POST"])
@limiter.limit("60 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = db.session.scalars(select(User).where(User.username == form.username.data.strip())).first()
        if user is None or not user.active or not user.check_password(form.password.data):
            flash(_("Wrong username or password."), "danger")
        else:
            session.clear()  # rotate the session at login
            login_user(user, remember=form.remember.data)
            target = form.next.data
            return redirect(target if is_safe_next(target) else url_for("accounts.home"))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        session.clear()
    return redirect(url_for("accounts.login"))


@bp.route("/lang/<code>", methods=["POST"])
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
def agency_staff(agency_id):
    agency = db.get_or_404(Agency, agency_id)
    require_reach(current_user, agency, *STAFF_VIEWERS)
    staff = queries.staff_in_scope(current_user, *STAFF_VIEWERS, agency=agency)
    return render_template("accounts/staff.html", agency=agency, staff=staff)


@bp.route("/people/<int:user_id>")
@login_required
def person(user_id):
    person = db.get_or_404(User, user_id)
    if person.id != current_user.id:
        require_reach(current_user, person.agency, *STAFF_VIEWERS)
    return render_template("accounts/person.html", person=person, manager=queries.direct_manager(person))
