"""Task pages for the assignee (my tasks, report, ask for a change) and the supervisor
(team, assign from the catalogue, verify, decide changes).  The catalogue, the head's
overview and the XLSX import/export are in :mod:`performance.manage_routes`."""
from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.forms import EmptyForm
from accounts.permissions import has_role, require_reach, role_required
from accounts.queries import staff_in_scope
from extensions import db
from performance import bp, changes, queries, services
from performance import manage_routes  # noqa: F401  (registers its views on bp)
from performance.forms import ChangeDecisionForm, ChangeRequestForm, ReportForm, SplitForm, TaskForm, VerifyForm
from performance.models import CommitmentChange, EvidenceFile, ProductReport, Task


DUE_SOON = 30   # days: "what is due" lists unreported tasks due within this many days, and overdue ones


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
    tasks = queries.tasks_of(current_user, year)
    parents = queries.parents_among(tasks)
    today = date.today()
    open_tasks = [t for t in tasks if t.latest_report is None]
    return render_template("performance/my_tasks.html", year=year, tasks=tasks, today=today,
                           overdue=[t for t in open_tasks if t.deadline < today],
                           upcoming=[t for t in open_tasks if today <= t.deadline <= today + timedelta(days=DUE_SOON)],
                           rollups={t.id: queries.rollup(t, today) for t in tasks if t.id in parents},
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
    year, today = _year(), date.today()
    tasks = queries.team_tasks(current_user, year)
    parents = queries.parents_among(tasks)
    return render_template("performance/team.html", year=year, tasks=tasks, today=today,
                           rollups={t.id: queries.rollup(t, today) for t in tasks if t.id in parents},
                           units=queries.overview(current_user, year, today, queries.SUPERVISE),
                           cascades=queries.cascades(current_user, year, today, *queries.SUPERVISE),
                           pending=queries.awaiting_verification(current_user),
                           changes=queries.pending_changes(current_user))


@bp.route("/assign", methods=["GET", "POST"])
@role_required(*queries.SUPERVISE)
def assign():
    form = TaskForm()
    people = [u for u in staff_in_scope(current_user, *queries.SUPERVISE) if u.id != current_user.id]
    form.assignee.choices = [(0, _("— choose a person —"))] + [
        (u.id, f"{u.full_name} — {u.agency.name}") for u in people]
    units = queries.assignable_units(current_user)
    form.unit.choices = [(0, _("— no unit —"))] + [
        (a.id, _("%(unit)s (head: %(name)s)", unit=a.name, name=head.full_name)) for a, head in units]
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
        unit, head = next(((a, h) for a, h in units if a.id == form.unit.data), (None, None))
        assignee = head or next(u for u in people if u.id == form.assignee.data)
        if item is not None and not item.applies_to(assignee):
            form.catalogue.errors.append(_("This standard product is not in the catalogue of %(name)s's job position.",
                                           name=assignee.full_name))
        else:
            task = services.assign_task(form, current_user, item, unit=unit, head=head)
            db.session.commit()
            flash(_("Task assigned to %(unit)s; %(name)s answers for it.", unit=unit.name, name=head.full_name)
                  if unit else _("Task assigned to %(name)s.", name=task.assignee.full_name), "success")
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
    if not queries.can_see_task(current_user, task):
        abort(404)
    response = send_file(services.evidence_path(item), mimetype=item.mime, as_attachment=True,
                         download_name=item.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/<int:task_id>")
@login_required
def task(task_id):
    """One task: its content, assignee or unit, reports with evidence, its place in a
    cascade (the chain up, the tree of children with the roll-up).  Only its chain of
    command sees it (:func:`performance.queries.can_see_task`)."""
    task = db.get_or_404(Task, task_id)
    if not queries.can_see_task(current_user, task):
        abort(404)
    today = date.today()
    nodes = queries.tree(task)
    rollups = {n.id: queries.rollup(n, today) for n, _d in [(task, 0), *nodes] if n.children}
    return render_template("performance/task.html", task=task, today=today, nodes=nodes, rollups=rollups,
                           chain=[(t, queries.can_see_task(current_user, t)) for t in queries.ancestors(task)],
                           can_split=task.assignee_id == current_user.id and has_role(current_user, *queries.SUPERVISE))


@bp.route("/<int:task_id>/split", methods=["GET", "POST"])
@role_required(*queries.SUPERVISE)
def split(task_id):
    """The assignee of a task splits it into a child task for someone they supervise (one
    child per submission; the task page shows the tree)."""
    parent = get_task_or_404(task_id, as_assignee=True)
    form = SplitForm()
    people = [u for u in staff_in_scope(current_user, *queries.SUPERVISE) if u.id != current_user.id]
    units = queries.assignable_units(current_user)
    form.assignee.choices = [(0, _("— choose a person —"))] + [
        (u.id, f"{u.full_name} — {u.agency.name}") for u in people]
    form.unit.choices = [(0, _("— no unit —"))] + [
        (a.id, _("%(unit)s (head: %(name)s)", unit=a.name, name=head.full_name)) for a, head in units]
    if not form.is_submitted():
        form.quarter.data, form.deadline.data = parent.period[-2:], parent.deadline
        form.indicator.data, form.unit_of_measure.data = parent.indicator, parent.unit_of_measure
        form.factor.data = parent.factor
    if form.validate_on_submit():
        unit = next((a for a, _h in units if a.id == form.unit.data), None)
        person = next((u for u in people if u.id == form.assignee.data), None)
        try:
            child = services.split_task(parent, current_user, assignee=person, unit=unit, title=form.title.data,
                                        indicator=form.indicator.data, unit_of_measure=form.unit_of_measure.data,
                                        target=form.target.data, factor=form.factor.data, weight=form.weight.data,
                                        quarter=form.quarter.data, deadline=form.deadline.data,
                                        breakthrough=form.breakthrough.data)
        except services.TaskError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Child task “%(title)s” assigned to %(name)s.", title=child.title, name=child.assignee.full_name),
                  "success")
            return redirect(url_for("performance.task", task_id=parent.id))
    return render_template("performance/split.html", parent=parent, form=form)
