"""Task pages for the assignee (my tasks, report) and the supervisor (team, assign, verify)."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.forms import EmptyForm
from accounts.permissions import can_reach, require_reach, role_required
from accounts.queries import staff_in_scope
from extensions import db
from performance import queries, services
from performance.forms import ReportForm, TaskForm, VerifyForm
from performance.models import EvidenceFile, ProductReport, Task

bp = Blueprint("performance", __name__)


def _year() -> int:
    return request.args.get("year", date.today().year, type=int)


def get_task_or_404(task_id: int, *, as_assignee=False) -> Task:
    task = db.get_or_404(Task, task_id)
    if as_assignee:
        if task.assignee_id != current_user.id:
            abort(404)
    elif task.assignee_id != current_user.id:
        require_reach(current_user, task.assignee.agency, *queries.SUPERVISE)
    return task


@bp.route("/")
@login_required
def my_tasks():
    year = _year()
    return render_template("performance/my_tasks.html", year=year, tasks=queries.tasks_of(current_user, year),
                           commitment=services.latest_commitment(current_user, year), form=EmptyForm())


@bp.route("/commit/<int:year>", methods=["POST"])
@login_required
def sign(year):
    if EmptyForm().validate_on_submit() and queries.tasks_of(current_user, year):
        services.sign_commitment(current_user, year)
        db.session.commit()
        flash(_("You signed the commitment for %(year)d.", year=year), "success")
    return redirect(url_for("performance.my_tasks", year=year))


@bp.route("/<int:task_id>/report", methods=["GET", "POST"])
@login_required
def report(task_id):
    task = get_task_or_404(task_id, as_assignee=True)
    form = ReportForm()
    if form.validate_on_submit():
        upload = form.evidence.data
        upload = (upload.filename, upload.read()) if upload else None
        try:
            services.report_product(task, current_user, form.actual_value.data, form.product.data,
                                    form.delivered_on.data, upload)
        except services.EvidenceError:
            db.session.rollback()
            form.evidence.errors.append(_("Only PDF, PNG, JPEG and Office documents up to 10 MB are accepted."))
        else:
            db.session.commit()
            flash(_("Product reported. Your supervisor will verify it."), "success")
            return redirect(url_for("performance.my_tasks", year=task.year))
    return render_template("performance/report.html", task=task, form=form)


@bp.route("/team")
@role_required(*queries.SUPERVISE)
def team():
    year = _year()
    return render_template("performance/team.html", year=year, tasks=queries.team_tasks(current_user, year),
                           pending=queries.awaiting_verification(current_user))


@bp.route("/assign", methods=["GET", "POST"])
@role_required(*queries.SUPERVISE)
def assign():
    form = TaskForm()
    people = [u for u in staff_in_scope(current_user, *queries.SUPERVISE) if u.id != current_user.id]
    form.assignee.choices = [(u.id, f"{u.full_name} — {u.agency.name}") for u in people]
    if not form.is_submitted():
        form.year.data = date.today().year
        form.assignee.data = request.args.get("assignee", type=int)
    if form.validate_on_submit():
        task = services.assign_task(form, current_user)
        db.session.commit()
        flash(_("Task assigned to %(name)s.", name=task.assignee.full_name), "success")
        return redirect(url_for("performance.team", year=task.year))
    return render_template("performance/assign.html", form=form)


@bp.route("/product/<int:report_id>/verify", methods=["GET", "POST"])
@role_required(*queries.SUPERVISE)
def verify(report_id):
    report = db.get_or_404(ProductReport, report_id)
    task = get_task_or_404(report.task_id)
    if task.assignee_id == current_user.id:
        abort(403)  # nobody verifies their own product
    form = VerifyForm(obj=report.verification)
    if not form.is_submitted() and report.verification is None:
        form.accepted_value.data = report.actual_value
        form.on_time.data = report.delivered_on <= task.deadline
        form.quality_met.data = True
    if form.validate_on_submit():
        services.verify_report(report, current_user, accepted=form.accepted_value.data, on_time=form.on_time.data,
                               quality_met=form.quality_met.data, quality_failures=form.quality_failures.data,
                               quality_failures_excused=form.quality_failures_excused.data,
                               delays=form.delays.data, delays_excused=form.delays_excused.data,
                               comment=form.comment.data)
        db.session.commit()
        flash(_("Verification recorded."), "success")
        return redirect(url_for("performance.team", year=task.year))
    return render_template("performance/verify.html", report=report, task=task, form=form)


@bp.route("/evidence/<int:evidence_id>")
@login_required
def evidence(evidence_id):
    """Served as an attachment, only within the chain of command."""
    item = db.get_or_404(EvidenceFile, evidence_id)
    task = db.session.get(ProductReport, item.report_id).task
    if task.assignee_id != current_user.id and not can_reach(current_user, task.assignee.agency,
                                                              *queries.SUPERVISE):
        abort(404)
    response = send_file(services.evidence_path(item), mimetype=item.mime, as_attachment=True,
                         download_name=item.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
