"""Workflow steps of a rating unit's year: propose, return to draft, council decisions,
close the council, approve (lock), reopen, the quota exception.  Each view validates its
form, checks the reader's reach, calls one function of :mod:`classification.workflow`,
commits and redirects to the results page."""
from fractions import Fraction

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.forms import EmptyForm
from accounts.models import Agency
from accounts.permissions import require_reach, role_required
from classification import APPROVE, COUNCIL, RATE, bp, workflow
from classification.forms import DecisionForm, ProposeForm, QuotaExceptionForm, ReasonForm
from classification.models import YearlyClassification
from extensions import db


def _unit(agency_id: int, roles) -> Agency:
    agency = db.get_or_404(Agency, agency_id)
    require_reach(current_user, agency, *roles)
    return agency


def _done(agency: Agency, year: int, step, message: str, *args, **kwargs):
    """Run ``step`` (a workflow function), commit on success, flash the outcome."""
    try:
        step(agency, year, current_user, *args, **kwargs)
    except workflow.WorkflowError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("classification.results", agency_id=agency.id, year=year))


def _invalid(agency: Agency, year: int):
    flash(_("Nothing was changed: a reason is required."), "danger")
    return redirect(url_for("classification.results", agency_id=agency.id, year=year))


@bp.route("/propose/<int:agency_id>/<int:year>", methods=["POST"])
@role_required(*RATE)
def propose(agency_id, year):
    agency, form = _unit(agency_id, RATE), ProposeForm()
    if not form.validate_on_submit():
        return _invalid(agency, year)
    return _done(agency, year, workflow.propose, _("The rating is proposed to the council."), form.reason.data or "")


@bp.route("/return/<int:agency_id>/<int:year>", methods=["POST"])
@role_required(*RATE)
def return_to_draft(agency_id, year):
    agency, form = _unit(agency_id, RATE), ReasonForm()
    if not form.validate_on_submit():
        return _invalid(agency, year)
    return _done(agency, year, workflow.return_to_draft, _("The rating is back in draft."), form.reason.data)


@bp.route("/close/<int:agency_id>/<int:year>", methods=["POST"])
@role_required(*COUNCIL)
def close_council(agency_id, year):
    agency = _unit(agency_id, COUNCIL)
    if not EmptyForm().validate_on_submit():
        return _invalid(agency, year)
    return _done(agency, year, workflow.close_council, _("The council's decisions are recorded as complete."))


@bp.route("/approve/<int:agency_id>/<int:year>", methods=["POST"])
@role_required(*APPROVE)
def approve(agency_id, year):
    agency = _unit(agency_id, APPROVE)
    if not EmptyForm().validate_on_submit():
        return _invalid(agency, year)
    return _done(agency, year, workflow.approve, _("The rating is approved and locked."))


@bp.route("/reopen/<int:agency_id>/<int:year>", methods=["POST"])
@role_required(*RATE)
def reopen(agency_id, year):
    agency, form = _unit(agency_id, RATE), ReasonForm()
    if not form.validate_on_submit():
        return _invalid(agency, year)
    return _done(agency, year, workflow.reopen, _("The rating is reopened for the council."), form.reason.data)


@bp.route("/exception/<int:agency_id>/<int:year>", methods=["POST"])
@role_required(*RATE)
def quota_exception(agency_id, year):
    agency, form = _unit(agency_id, RATE), QuotaExceptionForm()
    if not form.validate_on_submit():
        flash(_("The exception was not recorded: give the decision, its date and a ceiling above 20% "
                "and at most 25%."), "danger")
        return redirect(url_for("classification.results", agency_id=agency.id, year=year))
    ceiling = Fraction(str(form.ceiling.data)) / 100
    return _done(agency, year, workflow.record_quota_exception,
                 _("Quota exception recorded. Run the rating again to apply it."),
                 ceiling=ceiling, reference=form.reference.data, decided_on=form.decided_on.data)


@bp.route("/exception/<int:agency_id>/<int:year>/remove", methods=["POST"])
@role_required(*RATE)
def remove_quota_exception(agency_id, year):
    agency, form = _unit(agency_id, RATE), ReasonForm()
    if not form.validate_on_submit():
        return _invalid(agency, year)
    return _done(agency, year, workflow.remove_quota_exception,
                 _("Quota exception removed. Run the rating again to apply it."), form.reason.data)


@bp.route("/decide/<int:row_id>", methods=["GET", "POST"])
@role_required(*COUNCIL)
def decide(row_id):
    """The council's decision on one person (confirm or change the level, with a reason)."""
    item = db.get_or_404(YearlyClassification, row_id)
    unit = item.user.agency.rating_unit()
    require_reach(current_user, item.user.agency, *COUNCIL)
    form = DecisionForm(level=item.level if item.level != "NOT_RATED" else None,
                        reason=item.decision_reason or None)
    if form.validate_on_submit():
        try:
            workflow.decide(item, form.level.data, form.reason.data, current_user)
        except workflow.WorkflowError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Decision recorded for %(name)s.", name=item.user.full_name), "success")
            return redirect(url_for("classification.results", agency_id=unit.id, year=item.year))
    options = [o["$level"] for o in (item.details or {}).get("council_options", [])]
    return render_template("classification/decide.html", item=item, unit=unit, form=form, options=options,
                           wf=workflow.workflow(unit, item.year), forced=workflow.forced(item))
