"""HR pages: settings, run the yearly classification, results with reasons, XLSX export;
supervisor page: general-criteria points per period."""
from datetime import date
from decimal import Decimal
from fractions import Fraction

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from accounts.forms import EmptyForm
from accounts.models import Agency, Role, User
from accounts.permissions import can_reach, reachable_agencies, require_reach, role_required
from classification import services
from classification.export import classification_xlsx
from classification.forms import CRITERIA, SettingsForm, field_name, general_form_class
from classification.models import GeneralAssessment, RatingSettings, YearlyClassification
from extensions import db

bp = Blueprint("classification", __name__)
RATE = (Role.HR_OFFICER,)
VIEW = (Role.HR_OFFICER, Role.HEAD, Role.COUNCIL_SECRETARY)
SUPERVISE = (Role.SUPERVISOR, Role.HEAD)


def _settings_row(year: int) -> RatingSettings:
    row = db.session.scalars(select(RatingSettings).where(RatingSettings.year == year)).first()
    return row or RatingSettings(year=year, test_rule="general_criteria", test_weight=Fraction(5, 2),
                                 quota_denominator="good_only")


@bp.route("/")
@role_required(*VIEW)
def index():
    year = request.args.get("year", date.today().year, type=int)
    row = _settings_row(year)
    form = SettingsForm(test_rule=row.test_rule, quota_denominator=row.quota_denominator,
                        test_weight=Decimal(str(float(row.test_weight))))
    units = [a for a in reachable_agencies(current_user, *VIEW) if a.is_rating_unit or a.parent is None]
    return render_template("classification/index.html", year=year, units=units, settings=row, form=form,
                           run_form=EmptyForm())


@bp.route("/settings/<int:year>", methods=["POST"])
@role_required(*RATE)
def save_settings(year):
    form = SettingsForm()
    if form.validate_on_submit():
        row = _settings_row(year)
        before = {"test_rule": row.test_rule, "test_weight": str(row.test_weight), "quota": row.quota_denominator}
        row.test_rule, row.quota_denominator = form.test_rule.data, form.quota_denominator.data
        row.test_weight = Fraction(str(form.test_weight.data))
        db.session.add(row)
        db.session.flush()
        from accounts import audit
        audit.record("rating.settings", row, actor=current_user, before=before,
                     after={"test_rule": row.test_rule, "test_weight": str(row.test_weight),
                            "quota": row.quota_denominator})
        db.session.commit()
        flash(_("Settings saved."), "success")
    else:
        flash(_("Settings not saved: check the values."), "danger")
    return redirect(url_for("classification.index", year=year))


@bp.route("/run/<int:agency_id>/<int:year>", methods=["POST"])
@role_required(*RATE)
def run(agency_id, year):
    agency = db.get_or_404(Agency, agency_id)
    require_reach(current_user, agency, *RATE)
    if EmptyForm().validate_on_submit():
        rows = services.run_rating(agency, year, current_user)
        db.session.commit()
        flash(_("Rated %(n)d people.", n=len(rows)), "success")
    return redirect(url_for("classification.results", agency_id=agency.id, year=year))


def _rows(agency: Agency, year: int) -> list[YearlyClassification]:
    stmt = (select(YearlyClassification).join(User, YearlyClassification.user_id == User.id).join(User.agency)
            .where(YearlyClassification.year == year, Agency.path.startswith(agency.path))
            .order_by(Agency.path, User.id))
    return list(db.session.scalars(stmt))


@bp.route("/results/<int:agency_id>/<int:year>")
@role_required(*VIEW)
def results(agency_id, year):
    agency = db.get_or_404(Agency, agency_id)
    require_reach(current_user, agency, *VIEW)
    rows = _rows(agency, year)
    return render_template("classification/results.html", agency=agency, year=year, rows=rows,
                           counts=services.level_counts(rows), run_form=EmptyForm(),
                           can_run=can_reach(current_user, agency, *RATE))


@bp.route("/results/<int:agency_id>/<int:year>.xlsx")
@role_required(*VIEW)
def export(agency_id, year):
    agency = db.get_or_404(Agency, agency_id)
    require_reach(current_user, agency, *VIEW)
    data = classification_xlsx(_rows(agency, year), year)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="xep-loai-{agency.code}-{year}.xlsx"',
                             "X-Content-Type-Options": "nosniff"})


@bp.route("/general/<int:user_id>/<period>", methods=["GET", "POST"])
@login_required
def general(user_id, period):
    """General-criteria points for one period: the person self-scores; the supervisor
    sets the final points (DECISIONS.md 4)."""
    person = db.get_or_404(User, user_id)
    final = person.id != current_user.id
    if final and not can_reach(current_user, person.agency, *SUPERVISE):
        abort(404)
    row = db.session.scalars(select(GeneralAssessment).where(GeneralAssessment.user_id == person.id,
                                                             GeneralAssessment.period == period)).first()
    row = row or GeneralAssessment(user_id=person.id, period=period)
    stored = (row.final_points if final else row.self_points) or row.self_points or {}
    data = {field_name(c): float(Fraction(stored[c])) for c in stored}
    leader = person.is_leader and final
    if leader:
        data.update({k: float(getattr(row, k) * 100) for k in ("org_capacity", "unity") if getattr(row, k) is not None})
    form = general_form_class(leader)(data=data)
    if form.validate_on_submit():
        points = {code: str(Fraction(str(form[field_name(code)].data))) for code, _l, _m in CRITERIA}
        if final:
            row.final_points, row.assessed_by_id = points, current_user.id
            if leader:
                row.org_capacity = Fraction(str(form.org_capacity.data)) / 100
                row.unity = Fraction(str(form.unity.data)) / 100
        else:
            row.self_points = points
        db.session.add(row)
        db.session.flush()
        from accounts import audit
        audit.record("general.points", row, actor=current_user, after={"final" if final else "self": points})
        db.session.commit()
        flash(_("Points saved."), "success")
        return redirect(url_for("performance.team" if final else "performance.my_tasks"))
    return render_template("classification/general.html", person=person, period=period, form=form,
                           criteria=CRITERIA, field_name=field_name, final=final, row=row)
