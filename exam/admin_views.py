"""Exam administration: build, check and open exams, generate papers, time (extra time,
extend, pause), late saves, each attempt's event log, grade overrides and regrades."""
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from accounts.forms import EmptyForm
from accounts.models import Role, User
from accounts.permissions import reachable_agencies, require_reach, role_required
from exam import bp, events, marking, papers, queries, services, timing
from exam.forms import AccommodationForm, DecisionForm, ExamForm, PointsForm, RegradeForm, TimeForm
from exam.models import Accommodation, Attempt, AttemptSlot, Exam, LateSave, Paper, RegradeJob
from extensions import db
from jobs import enqueue
from jobs import queries as jobs_queries
from question_bank.models import Question, QuestionBank
from question_bank.queries import category_counts


def get_exam_or_404(exam_id: int) -> Exam:
    exam = db.get_or_404(Exam, exam_id)
    require_reach(current_user, exam.agency, *queries.ADMIN_ROLES)
    return exam


def get_exam_attempt_or_404(exam: Exam, attempt_id: int) -> Attempt:
    attempt = db.get_or_404(Attempt, attempt_id)
    if attempt.exam_id != exam.id:
        abort(404)
    return attempt


def _back(exam, anchor=""):
    return redirect(url_for("exam.admin_detail", exam_id=exam.id) + anchor)


@bp.route("/admin")
@role_required(*queries.ADMIN_ROLES)
def admin_list():
    from question_bank.queries import banks_in_scope

    return render_template("exam/admin_list.html", exams=queries.exams_in_scope(current_user),
                           banks=banks_in_scope(current_user))


def _exam_form(bank: QuestionBank) -> ExamForm:
    form = ExamForm()
    agencies = reachable_agencies(current_user, *queries.ADMIN_ROLES)
    form.agency.choices = [(a.id, a.name) for a in agencies]
    form.audience_agencies.choices = [(a.id, a.name) for a in agencies]
    choices = [(0, "—")] + [(c.id, "— " * depth + f"{c.name} ({n})") for c, depth, n in category_counts(bank)]
    for entry in form.rules:
        entry.category.choices = choices
    if not form.is_submitted():
        form.year.data = date.today().year
    return form


@bp.route("/admin/new", methods=["GET", "POST"])
@role_required(*queries.ADMIN_ROLES)
def admin_new():
    bank = db.get_or_404(QuestionBank, request.args.get("bank", type=int))
    require_reach(current_user, bank.agency, Role.EXAM_ADMIN, Role.BANK_EDITOR)
    form = _exam_form(bank)
    if form.validate_on_submit():
        if form.agency.data not in dict(form.agency.choices):
            abort(403)
        exam = services.create_exam(form, bank, current_user)
        db.session.commit()
        flash(_("Exam created as a draft. Check the blueprint, then open it."), "success")
        return redirect(url_for("exam.admin_detail", exam_id=exam.id))
    return render_template("exam/admin_new.html", form=form, bank=bank)


@bp.route("/admin/<int:exam_id>")
@role_required(*queries.ADMIN_ROLES)
def admin_detail(exam_id):
    exam = get_exam_or_404(exam_id)
    return render_template(
        "exam/admin_detail.html", exam=exam, attempts=queries.attempts_of(exam), problems=services.check_feasible(exam),
        form=EmptyForm(), time_form=TimeForm(), acc_form=AccommodationForm(), regrade_form=RegradeForm(),
        papers=db.session.scalar(select(db.func.count()).select_from(Paper).where(Paper.exam_id == exam.id)),
        accommodations=db.session.scalars(select(Accommodation).where(Accommodation.exam_id == exam.id)).all(),
        late_saves=timing.pending_late_saves(exam), disputed=marking.disputed(exam),
        jobs=db.session.scalars(select(RegradeJob).where(RegradeJob.exam_id == exam.id)
                                .order_by(RegradeJob.id.desc())).all(), rule_label=papers.rule_label)


@bp.route("/admin/<int:exam_id>/open", methods=["POST"])
@role_required(*queries.ADMIN_ROLES)
def admin_open(exam_id):
    exam = get_exam_or_404(exam_id)
    if EmptyForm().validate_on_submit():
        try:
            services.open_exam(exam, current_user)
            db.session.commit()
            flash(_("The exam is open."), "success")
        except services.ExamError as exc:
            db.session.rollback()
            flash(_("The blueprint cannot be drawn: %(problems)s", problems=str(exc)), "danger")
    return _back(exam)


@bp.route("/admin/<int:exam_id>/close", methods=["POST"])
@role_required(*queries.ADMIN_ROLES)
def admin_close(exam_id):
    exam = get_exam_or_404(exam_id)
    if EmptyForm().validate_on_submit():
        services.close_exam(exam, current_user)
        db.session.commit()
    return _back(exam)


@bp.route("/admin/<int:exam_id>/papers", methods=["POST"])
@role_required(*queries.ADMIN_ROLES)
def admin_papers(exam_id):
    """Generate every candidate's paper now, so that starting is one read."""
    exam = get_exam_or_404(exam_id)
    if EmptyForm().validate_on_submit():
        try:
            n = papers.generate_papers(exam, current_user)
            db.session.commit()
            flash(_("%(n)d paper(s) generated.", n=n), "success")
        except papers.DrawError as exc:
            db.session.rollback()
            flash(_("The blueprint cannot be drawn: %(problems)s", problems=str(exc)), "danger")
    return _back(exam)


@bp.route("/admin/<int:exam_id>/time", methods=["POST"])
@role_required(*queries.ADMIN_ROLES)
def admin_time(exam_id):
    """Extend, pause or resume the whole sitting, or one attempt (``attempt_id``)."""
    exam = get_exam_or_404(exam_id)
    form = TimeForm()
    if form.validate_on_submit():
        user_id = get_exam_attempt_or_404(exam, form.attempt_id.data).user_id if form.attempt_id.data else None
        attempts = timing.open_attempts(exam, user_id)
        try:
            if form.action.data == "extend":
                n = timing.extend(attempts, form.minutes.data or 0, form.reason.data, current_user)
            elif form.action.data == "pause":
                n = timing.pause(attempts, form.reason.data, current_user)
            else:
                n = timing.resume(attempts, form.reason.data, current_user)
            db.session.commit()
            flash(_("%(n)d attempt(s) changed.", n=n), "success")
        except services.ExamError:
            db.session.rollback()
            flash(_("Give a reason and a number of minutes."), "danger")
    else:
        flash(_("Give a reason and a number of minutes."), "danger")
    return _back(exam, "#h-time")


@bp.route("/admin/<int:exam_id>/accommodation", methods=["POST"])
@role_required(*queries.ADMIN_ROLES)
def admin_accommodation(exam_id):
    exam = get_exam_or_404(exam_id)
    form = AccommodationForm()
    if form.validate_on_submit():
        person = db.session.scalars(select(User).where(User.username == form.username.data.strip())).first()
        if person is None or not services.is_eligible(exam, person):
            flash(_("No such person in the exam's audience."), "danger")
        else:
            timing.set_accommodation(exam, person, form.extra_percent.data, form.extra_minutes.data,
                                     form.reason.data, current_user)
            db.session.commit()
            flash(_("Extra time granted."), "success")
    return _back(exam, "#h-time")


@bp.route("/admin/<int:exam_id>/late/<int:late_id>", methods=["POST"])
@role_required(*queries.ADMIN_ROLES)
def admin_late(exam_id, late_id):
    exam = get_exam_or_404(exam_id)
    late = db.get_or_404(LateSave, late_id)
    if late.attempt.exam_id != exam.id:
        abort(404)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            timing.decide_late_save(late, form.accept.data == "1", form.reason.data, current_user)
            db.session.commit()
        except services.ExamError:
            db.session.rollback()
            flash(_("This late save was already decided."), "danger")
    return _back(exam, "#h-late")


@bp.route("/admin/<int:exam_id>/attempt/<int:attempt_id>")
@role_required(*queries.ADMIN_ROLES)
def admin_attempt(exam_id, attempt_id):
    """One attempt for the exam admin: its slots, grades and event log."""
    exam = get_exam_or_404(exam_id)
    attempt = get_exam_attempt_or_404(exam, attempt_id)
    return render_template("exam/admin_attempt.html", exam=exam, attempt=attempt, events=events.events_of(attempt.id),
                           points_form=PointsForm(), time_form=TimeForm(), remaining=services.remaining_seconds(attempt))


@bp.route("/admin/<int:exam_id>/slot/<int:slot_id>/grade", methods=["POST"])
@role_required(*queries.ADMIN_ROLES)
def admin_grade(exam_id, slot_id):
    """Override or reconcile one slot's points: a reason is required, audited."""
    exam = get_exam_or_404(exam_id)
    slot = db.get_or_404(AttemptSlot, slot_id)
    if slot.attempt.exam_id != exam.id or slot.attempt.is_open:
        abort(404)
    form = PointsForm()
    if form.validate_on_submit() and (form.reason.data or "").strip():
        action = "slot.reconcile" if len(slot.marks) >= 2 and slot.grade_state == "needs_grading" else "slot.override"
        try:
            marking.set_grade(slot, form.points.data, form.reason.data, current_user, action)
            db.session.commit()
            flash(_("Points saved."), "success")
        except services.ExamError:
            db.session.rollback()
            flash(_("The points must lie between 0 and the question's mark."), "danger")
    else:
        flash(_("Give the points and a reason."), "danger")
    return redirect(url_for("exam.admin_attempt", exam_id=exam.id, attempt_id=slot.attempt_id))


@bp.route("/admin/<int:exam_id>/regrade", methods=["POST"])
@role_required(*queries.ADMIN_ROLES)
def admin_regrade(exam_id):
    exam = get_exam_or_404(exam_id)
    form = RegradeForm()
    question = db.session.get(Question, form.question_id.data or 0) if form.validate_on_submit() else None
    if question is None or question.bank_id != exam.bank_id:
        flash(_("No such question in this exam's bank."), "danger")
        return _back(exam, "#h-regrade")
    try:
        job = marking.preview_regrade(exam, question, form.kind.data, form.reason.data, current_user)
    except services.ExamError as exc:          # e.g. the corrected key is not approved yet
        db.session.rollback()
        flash(str(exc), "danger")
        return _back(exam, "#h-regrade")
    db.session.commit()
    return redirect(url_for("exam.admin_regrade_job", exam_id=exam.id, job_id=job.id))


@bp.route("/admin/<int:exam_id>/regrade/<int:job_id>", methods=["GET", "POST"])
@role_required(*queries.ADMIN_ROLES)
def admin_regrade_job(exam_id, job_id):
    """The preview (whose score and pass/fail change) and the button that applies it: the
    apply runs as a background job (DECISIONS.md 18) whose page shows its progress."""
    exam = get_exam_or_404(exam_id)
    job = db.get_or_404(RegradeJob, job_id)
    if job.exam_id != exam.id:
        abort(404)
    form = EmptyForm()
    if form.validate_on_submit():
        running = jobs_queries.active_job("exam.regrade", regrade_id=job.id)
        if running is None and job.state != "preview":
            flash(_("This regrade was already applied."), "danger")
            return redirect(url_for("exam.admin_regrade_job", exam_id=exam.id, job_id=job.id))
        running = running or enqueue("exam.regrade", {"regrade_id": job.id, "exam_id": exam.id,
                                                      "actor_id": current_user.id}, current_user, exam.agency)
        return redirect(url_for("jobs.show", background_job_id=running.id))
    changed = [r for r in job.preview or [] if (r["score_before"], r["max_before"], r["passed_before"])
               != (r["score_after"], r["max_after"], r["passed_after"])]
    background = jobs_queries.latest_job("exam.regrade", regrade_id=job.id)
    return render_template("exam/admin_regrade.html", exam=exam, job=job, changed=changed, form=form,
                           background=background)
