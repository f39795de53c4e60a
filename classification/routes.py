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
from classification import reward_routes, sheet_routes, stage_routes, texts, workflow_routes  # noqa: F401  (register)
from classification import complaints, quarters, stages
from classification.export import classification_xlsx
from classification.forms import (CRITERIA, ProposeForm, PublishForm, QuotaExceptionForm, ReasonForm, SettingsForm,
                                  field_name, general_form_class)
from classification.models import GeneralAssessment, RatingSettings
from extensions import db


def _settings_row(year: int) -> RatingSettings:
    row = db.session.scalars(select(RatingSettings).where(RatingSettings.year == year)).first()
    return row or RatingSettings(year=year, test_rule="general_criteria", test_weight=Fraction(5, 2),
                                 quota_denominator="good_only", complaint_days=complaints.DEFAULT_DAYS)


def _sets_province_settings(user) -> bool:
    """HR (or admin) held at the root of every agency tree: the year's settings are province-wide."""
    roots = db.session.scalars(select(Agency).where(Agency.parent_id.is_(None))).all()
    return bool(roots) and all(can_reach(user, root, *RATE) for root in roots)


@bp.route("/")
@role_required(*VIEW)
def index():
    year = request.args.get("year", date.today().year, type=int)
    row = _settings_row(year)
    form = SettingsForm(test_rule=row.test_rule, quota_denominator=row.quota_denominator,
                        test_weight=Decimal(str(float(row.test_weight))), complaint_days=row.complaint_days)
    units = [a for a in reachable_agencies(current_user, *VIEW) if a.is_rating_unit or a.parent is None]
    return render_template("classification/index.html", year=year, units=units, settings=row, form=form,
                           run_form=EmptyForm(), can_set=_sets_province_settings(current_user))


@bp.route("/settings/<int:year>", methods=["POST"])
@role_required(*RATE)
def save_settings(year):
    """The settings of a rating year hold province-wide, so only the HR role held at the root
    of the agency tree (the Department of Home Affairs, DECISIONS 11) may change them."""
    if not _sets_province_settings(current_user):
        abort(403)
    form = SettingsForm()
    if form.validate_on_submit():
        row = _settings_row(year)
        before = {"test_rule": row.test_rule, "test_weight": str(row.test_weight), "quota": row.quota_denominator,
                  "complaint_days": row.complaint_days}
        row.test_rule, row.quota_denominator = form.test_rule.data, form.quota_denominator.data
        row.test_weight = Fraction(str(form.test_weight.data))
        if form.complaint_days.data is not None:          # left out: unchanged
            row.complaint_days = form.complaint_days.data
        db.session.add(row)
        db.session.flush()
        from accounts import audit
        audit.record("rating.settings", row, actor=current_user, before=before,
                     after={"test_rule": row.test_rule, "test_weight": str(row.test_weight),
                            "quota": row.quota_denominator, "complaint_days": row.complaint_days})
        db.session.commit()
        flash(_("Settings saved."), "success")
    else:
        flash(_("Settings not saved: check the values."), "danger")
    return redirect(url_for("classification.index", year=year))


@bp.route("/run/<int:agency_id>/<int:year>", methods=["POST"])
@role_required(*RATE)
def run(agency_id, year):
    """Queue the rating run of the agency's subtree as a background job (DECISIONS.md 18) and
    show its progress; a run already queued or running for the same unit and year is shown
    instead of a second one."""
    from jobs import enqueue, queries as jobs_queries

    agency = db.get_or_404(Agency, agency_id)
    require_reach(current_user, agency, *RATE)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("classification.results", agency_id=agency.id, year=year))
    job = jobs_queries.active_job("rating.run", agency_id=agency.id, year=year) or enqueue(
        "rating.run", {"agency_id": agency.id, "year": year, "actor_id": current_user.id}, current_user, agency)
    return redirect(url_for("jobs.show", background_job_id=job.id))


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
    is_unit = agency.is_rating_unit or agency.parent_id is None
    return render_template(
        "classification/results.html", agency=agency, year=year, rows=rows, counts=services.level_counts(rows),
        run_form=EmptyForm(), reason_form=ReasonForm(), exception_form=QuotaExceptionForm(), wf=wf,
        state=wf.state.value if wf else None, history=queries.history(wf, own), own_count=len(own),
        undecided=len(workflow.undecided(own)), exception=workflow.exception_for(agency, year),
        units=units, unit_flows=queries.workflows(units, year),
        can_run=can_reach(current_user, agency, *RATE), can_decide=can_reach(current_user, agency, *COUNCIL),
        can_approve=can_reach(current_user, agency, *APPROVE),
        stages=stages.progress(agency, year) if is_unit else [], quarter_approvals=quarters.approvals(agency, year),
        propose_form=ProposeForm(), publish_form=PublishForm(), published=workflow.is_published(wf),
        complaints=complaints.unit_complaints(agency, year) if is_unit else [],
        complaint_until=complaints.until(wf))


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
    locked = quarters.is_locked(person, period)
    closed = locked or (not final and bool(row.final_points))
    if form.is_submitted() and closed:
        flash(_("This quarter is approved and locked; HR must reopen it first.") if locked else
              _("Your supervisor has reviewed this quarter: your own points can no longer change."), "danger")
        return redirect(url_for("classification.general", user_id=person.id, period=period))
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
                           criteria=CRITERIA, field_name=field_name, final=final, row=row, closed=closed,
                           locked=locked)
