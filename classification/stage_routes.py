"""Views of the stages around the council: the year's own assessment (Mẫu số 02) and its
review, the quarter's rating with its approve/lock, publication, the person's own
rating with complaints, and the council's answer to a complaint."""
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from accounts.forms import EmptyForm
from accounts.models import Agency, User
from accounts.permissions import can_reach, require_reach, role_required
from classification import APPROVE, COUNCIL, RATE, SUPERVISE, VIEW, bp, complaints, quarters, stages, workflow
from classification.forms import (YEARLY_ITEMS, AnswerForm, ComplaintForm, PublishForm, ReasonForm, ReviewForm,
                                  yearly_form_class)
from classification.models import ClassificationState as S
from classification.models import ComplaintStatus, YearlyClassification
from extensions import db


def _frozen(user: User, year: int) -> bool:
    """The unit's rating is past draft: the stages before the proposal are closed."""
    return workflow.state_of(user.agency.rating_unit(), year) not in (None, S.DRAFT)


def _items(form, leader: bool) -> dict:
    return {code: form[f"item_{code}"].data for code, _l in YEARLY_ITEMS if leader or int(code) <= 6}


@bp.route("/self/<int:year>", methods=["GET", "POST"])
@login_required
def self_assessment(year):
    """The person's own assessment of the year (Decree 90/2020 Mẫu số 02, sections I–II)."""
    person = current_user
    if not stages.uses_yearly_form(person, year):
        flash(_("Under Decree 335/2025 you assess yourself each quarter on the general criteria."), "info")
        return redirect(url_for("performance.my_tasks"))
    row = stages.yearly_form(person, year)
    data = {}
    if row is not None:
        data = {f"item_{k}": v for k, v in (row.items or {}).items()}
        data.update(self_comment=row.self_comment, self_level=row.self_level)
    form = yearly_form_class(person.is_leader)(data=data)
    closed = bool(row and row.review_level) or _frozen(person, year)
    if form.validate_on_submit():
        try:
            stages.save_self(person, year, _items(form, person.is_leader), form.self_comment.data,
                             form.self_level.data, _frozen(person, year))
        except stages.StageError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Your assessment is submitted to your supervisor."), "success")
        return redirect(url_for("classification.self_assessment", year=year))
    return render_template("classification/yearly_self.html", person=person, year=year, form=form, row=row,
                           closed=closed, items=YEARLY_ITEMS, final=False)


@bp.route("/review/<int:user_id>/<int:year>", methods=["GET", "POST"])
@role_required(*SUPERVISE)
def review(user_id, year):
    """The supervisor's review of a person's year (Mẫu số 02, section III)."""
    person = db.get_or_404(User, user_id)
    if person.id == current_user.id:
        abort(404)
    require_reach(current_user, person.agency, *SUPERVISE)
    row = stages.yearly_form(person, year)
    form = ReviewForm(data={"review_comment": row.review_comment, "review_level": row.review_level}
                      if row is not None and row.review_level else None)
    if form.validate_on_submit():
        try:
            stages.save_review(person, year, form.review_comment.data, form.review_level.data, current_user,
                               _frozen(person, year))
        except stages.StageError as error:
            db.session.rollback()
            flash(str(error), "danger")
            return redirect(url_for("classification.review", user_id=person.id, year=year))
        db.session.commit()
        flash(_("Review recorded for %(name)s.", name=person.full_name), "success")
        unit = person.agency.rating_unit()
        if can_reach(current_user, unit, *VIEW):
            return redirect(url_for("classification.results", agency_id=unit.id, year=year))
        return redirect(url_for("performance.team"))
    return render_template("classification/yearly_review.html", person=person, year=year, form=form, row=row,
                           items=YEARLY_ITEMS, frozen=_frozen(person, year))


def _quarter(agency_id: int, period: str, roles) -> tuple[Agency, int]:
    agency = db.get_or_404(Agency, agency_id)
    require_reach(current_user, agency, *roles)
    year = quarters.parse(period)
    if year is None:
        abort(404)
    return agency, year


@bp.route("/quarter/<int:agency_id>/<period>")
@role_required(*VIEW)
def quarter(agency_id, period):
    agency, year = _quarter(agency_id, period, VIEW)
    approval = quarters.approval(agency, period)
    return render_template("classification/quarter.html", agency=agency, year=year, period=period,
                           rows=quarters.quarter_rows(agency, period), approval=approval,
                           stage=stages.period_stage(agency, period), reason_form=ReasonForm(),
                           can_approve=can_reach(current_user, agency, *APPROVE),
                           can_reopen=can_reach(current_user, agency, *RATE))


def _quarter_step(agency: Agency, period: str, step, message: str, *args):
    try:
        step(agency, period, current_user, *args)
    except workflow.WorkflowError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("classification.quarter", agency_id=agency.id, period=period))


@bp.route("/quarter/<int:agency_id>/<period>/approve", methods=["POST"])
@role_required(*APPROVE)
def approve_quarter(agency_id, period):
    agency, _year = _quarter(agency_id, period, APPROVE)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _quarter_step(agency, period, quarters.approve, _("The quarter is approved and locked."))


@bp.route("/quarter/<int:agency_id>/<period>/reopen", methods=["POST"])
@role_required(*RATE)
def reopen_quarter(agency_id, period):
    agency, _year = _quarter(agency_id, period, RATE)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Nothing was changed: a reason is required."), "danger")
        return redirect(url_for("classification.quarter", agency_id=agency.id, period=period))
    return _quarter_step(agency, period, quarters.reopen, _("The quarter is reopened."), form.reason.data)


@bp.route("/publish/<int:agency_id>/<int:year>", methods=["POST"])
@role_required(*RATE)
def publish(agency_id, year):
    agency = db.get_or_404(Agency, agency_id)
    require_reach(current_user, agency, *RATE)
    form = PublishForm()
    if not form.validate_on_submit():
        flash(_("Nothing was changed: give the date and time of publication."), "danger")
    else:
        try:
            workflow.publish(agency, year, current_user, form.published_at_utc())
        except workflow.WorkflowError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Publication set."), "success")
    return redirect(url_for("classification.results", agency_id=agency.id, year=year))


def _own_row(year: int) -> YearlyClassification | None:
    return db.session.scalars(select(YearlyClassification).where(YearlyClassification.user_id == current_user.id,
                                                                 YearlyClassification.year == year)).first()


@bp.route("/mine")
@login_required
def mine():
    """The person's own rating (``?year=``, default this year): nothing of the level before
    publication; after it the level with its reasons and, within the period, the complaint form."""
    year = request.args.get("year", date.today().year, type=int)
    row = _own_row(year)
    wf = workflow.workflow(current_user.agency.rating_unit(), year) if current_user.agency else None
    published = workflow.is_published(wf)
    yearly = stages.uses_yearly_form(current_user, year) if current_user.rated and year >= 2020 else False
    return render_template("classification/mine.html", year=year, row=row if published else None, wf=wf,
                           published=published, form=ComplaintForm(), yearly=yearly,
                           own=stages.yearly_form(current_user, year) if yearly else None,
                           window=complaints.window(row) if row is not None and published else None,
                           can_complain=row is not None and published and complaints.open_for(row),
                           items=complaints.complaints_of(row) if row is not None and published else [])


@bp.route("/mine/<int:year>/complaint", methods=["POST"])
@login_required
def complain(year):
    row = _own_row(year)
    if row is None:
        flash(_("You were not rated in %(year)d.", year=year), "danger")
        return redirect(url_for("classification.mine", year=year))
    form = ComplaintForm()
    if not form.validate_on_submit():
        flash(_("Say what the complaint is about."), "danger")
        return redirect(url_for("classification.mine", year=year))
    try:
        complaints.file(row, form.text.data, current_user)
    except workflow.WorkflowError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("Your complaint is filed; the council will answer it."), "success")
    return redirect(url_for("classification.mine", year=year))


@bp.route("/complaints/<int:row_id>", methods=["GET", "POST"])
@role_required(*COUNCIL)
def answer_complaint(row_id):
    """The complaints about one person's rating; the council secretary records the
    council's answer to the open one."""
    row = db.get_or_404(YearlyClassification, row_id)
    require_reach(current_user, row.user.agency, *COUNCIL)
    unit = row.user.agency.rating_unit()
    items = complaints.complaints_of(row)
    item = next((c for c in items if c.status == ComplaintStatus.OPEN), None)
    form = AnswerForm()
    if item is not None and form.validate_on_submit():
        try:
            complaints.answer(item, form.outcome.data, form.answer.data, current_user, form.new_level.data or None)
        except workflow.WorkflowError as error:
            db.session.rollback()
            form.answer.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The answer to the complaint of %(name)s is recorded.", name=row.user.full_name), "success")
            return redirect(url_for("classification.results", agency_id=unit.id, year=row.year))
    return render_template("classification/complaint.html", row=row, item=item, items=items, unit=unit, form=form,
                           state=workflow.state_of(unit, row.year))
