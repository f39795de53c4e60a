"""HR pages: settings, run the yearly classification, results with reasons, state and
history, XLSX export; supervisor page: general-criteria points per period.  The workflow
steps, rewards and PDF sheets register on the same blueprint from their own modules."""
from datetime import date
from decimal import Decimal
from fractions import Fraction

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from accounts.forms import EmptyForm
from accounts.models import Agency, User
from accounts.permissions import can_reach, reachable_agencies, require_reach, role_required
from classification import APPROVE, COUNCIL, RATE, SUPERVISE, VIEW, bp, queries, services, workflow
from classification import reward_routes, sheet_routes, workflow_routes  # noqa: F401  (register their views)
from classification.export import classification_xlsx
from classification.forms import CRITERIA, QuotaExceptionForm, ReasonForm, SettingsForm, field_name, general_form_class
from classification.models import ClassificationState, GeneralAssessment, RatingSettings
from extensions import db


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
        try:
            rows = services.run_rating(agency, year, current_user)
        except workflow.WorkflowError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            written = sum(1 for r in rows if r.state == ClassificationState.DRAFT)   # before the commit expires them
            db.session.commit()
            flash(_("Rated %(n)d people.", n=written), "success")
            if written < len(rows):
                flash(_("%(n)d people of units already proposed or approved were left unchanged.",
                        n=len(rows) - written), "warning")
    return redirect(url_for("classification.results", agency_id=agency.id, year=year))


def _rows(agency: Agency, year: int):
    return queries.rows_of(agency, year)


@bp.route("/results/<int:agency_id>/<int:year>")
@role_required(*VIEW)
def results(agency_id, year):
    agency = db.get_or_404(Agency, agency_id)
    require_reach(current_user, agency, *VIEW)
    rows = _rows(agency, year)
    wf = workflow.workflow(agency, year)
    own = [r for r in rows if r.user.agency.rating_unit().id == agency.id]
    units = [u for u in queries.rating_units(agency) if u.id != agency.id]
    return render_template(
        "classification/results.html", agency=agency, year=year, rows=rows, counts=services.level_counts(rows),
        run_form=EmptyForm(), reason_form=ReasonForm(), exception_form=QuotaExceptionForm(), wf=wf,
        state=wf.state.value if wf else None, history=queries.history(wf, own), own_count=len(own),
        undecided=len(workflow.undecided(own)), exception=workflow.exception_for(agency, year),
        units=units, unit_flows=queries.workflows(units, year),
        can_run=can_reach(current_user, agency, *RATE), can_decide=can_reach(current_user, agency, *COUNCIL),
        can_approve=can_reach(current_user, agency, *APPROVE))


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
