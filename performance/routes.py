"""Task pages for the assignee (my tasks, report, ask for a change) and the supervisor
(team, assign from the catalogue, verify, decide changes).  The catalogue, the head's
overview and the XLSX import/export are in :mod:`performance.manage_routes`."""
from datetime import date

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.forms import EmptyForm
from accounts.permissions import can_reach, require_reach, role_required
from accounts.queries import staff_in_scope
from extensions import db
from performance import bp, changes, queries, services
from performance import manage_routes  # noqa: F401  (registers its views on bp)
from performance.forms import ChangeDecisionForm, ChangeRequestForm, ReportForm, TaskForm, VerifyForm
from performance.models import CommitmentChange, EvidenceFile, ProductReport, Task


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
                           commitment=services.latest_commitment(current_user, year), form=EmptyForm(),
                           outdated=services.commitment_outdated(current_user, year),
                           revisions=queries.revisions(current_user, year),
                           changes=queries.changes_of(current_user, year))


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
                           pending=queries.awaiting_verification(current_user),
                           changes=queries.pending_changes(current_user))


@bp.route("/assign", methods=["GET", "POST"])
@role_required(*queries.SUPERVISE)
def assign():
    form = TaskForm()
    people = [u for u in staff_in_scope(current_user, *queries.SUPERVISE) if u.id != current_user.id]
    form.assignee.choices = [(u.id, f"{u.full_name} — {u.agency.name}") for u in people]
    chosen = request.args.get("assignee", type=int)
    items = queries.catalogue_for(current_user)
    person = next((u for u in people if u.id == chosen), None)
    offered = [i for i in items if person is None or i.applies_to(person)]
    form.catalogue.choices = [(0, _("— an ad-hoc task, not from the catalogue —"))] + [
        (i.id, f"{i.code} · {i.title} ({i.position or _('every position')}; ×{i.factor})") for i in offered]
    if not form.is_submitted():
        form.year.data = date.today().year
        form.assignee.data = chosen
        form.catalogue.data = request.args.get("item", 0, type=int)
    if form.validate_on_submit():
        item = next((i for i in items if i.id == form.catalogue.data), None)
        assignee = next(u for u in people if u.id == form.assignee.data)
        if item is not None and not item.applies_to(assignee):
            form.catalogue.errors.append(_("This standard product is not in the catalogue of %(name)s's job position.",
                                           name=assignee.full_name))
        else:
            task = services.assign_task(form, current_user, item)
            db.session.commit()
            flash(_("Task assigned to %(name)s.", name=task.assignee.full_name), "success")
            if services.latest_commitment(assignee, task.year) is not None:
                flash(_("%(name)s had signed the list for %(year)d: they are asked to sign the new revision.",
                        name=assignee.full_name, year=task.year), "info")
            return redirect(url_for("performance.team", year=task.year))
    return render_template("performance/assign.html", form=form)


@bp.route("/<int:task_id>/change", methods=["GET", "POST"])
@login_required
def request_change(task_id):
    """The assignee asks for a change of a task of their signed list."""
    task = get_task_or_404(task_id, as_assignee=True)
    form = ChangeRequestForm(obj=task) if request.method == "GET" else ChangeRequestForm()
    if form.validate_on_submit():
        try:
            changes.request_change(task, current_user, reason=form.reason.data, remove=form.remove.data,
                                   title=form.title.data, indicator=form.indicator.data,
                                   unit=form.unit_of_measure.data, target=form.target.data,
                                   deadline=form.deadline.data)
        except changes.ChangeError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Your request was sent to your supervisor."), "success")
            return redirect(url_for("performance.my_tasks", year=task.year))
    return render_template("performance/change.html", task=task, form=form)


@bp.route("/change/<int:change_id>", methods=["GET", "POST"])
@role_required(*queries.SUPERVISE)
def decide_change(change_id):
    """The supervisor approves (applied, new commitment revision) or rejects a change."""
    change = db.get_or_404(CommitmentChange, change_id)
    require_reach(current_user, change.user.agency, *queries.SUPERVISE)
    form = ChangeDecisionForm()
    if form.validate_on_submit():
        try:
            revision = changes.decide_change(change, current_user, form.approve.data == "yes", form.note.data)
        except changes.ChangeError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Change approved: revision %(n)d of the commitment.", n=revision.revision) if revision
                  else _("Change rejected."), "success")
            return redirect(url_for("performance.team", year=change.year))
    return render_template("performance/decide_change.html", change=change, form=form)


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
