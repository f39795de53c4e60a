"""Examinee pages (list, start, sit, save, submit, result) and exam administration."""
from datetime import date

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.forms import EmptyForm
from accounts.models import Role
from accounts.permissions import reachable_agencies, require_reach, role_required
from db_types import utcnow
from exam import queries, services
from exam.forms import ExamForm
from exam.models import Attempt, AttemptState, Exam
from extensions import db
from question_bank.models import QuestionBank
from question_bank.queries import category_counts

bp = Blueprint("exam", __name__)


def get_own_attempt_or_404(attempt_id: int) -> Attempt:
    attempt = db.get_or_404(Attempt, attempt_id)
    if attempt.user_id != current_user.id:
        abort(404)
    return attempt


def get_exam_or_404(exam_id: int) -> Exam:
    exam = db.get_or_404(Exam, exam_id)
    require_reach(current_user, exam.agency, *queries.ADMIN_ROLES)
    return exam


@bp.route("/")
@login_required
def my_exams():
    return render_template("exam/my_exams.html", rows=queries.exams_for_examinee(current_user),
                           window_open=services.window_open, form=EmptyForm())


@bp.route("/<int:exam_id>/start", methods=["POST"])
@login_required
def start(exam_id):
    exam = db.get_or_404(Exam, exam_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        attempt = services.start_attempt(exam, current_user)
    except services.ExamError:
        db.session.rollback()
        flash(_("This test is not open to you now."), "danger")
        return redirect(url_for("exam.my_exams"))
    db.session.commit()
    return redirect(url_for("exam.attempt_page", attempt_id=attempt.id))


@bp.route("/attempt/<int:attempt_id>")
@login_required
def attempt_page(attempt_id):
    attempt = get_own_attempt_or_404(attempt_id)
    if services.close_if_overdue(attempt):
        db.session.commit()
    if not attempt.is_open:
        return redirect(url_for("exam.result", attempt_id=attempt.id))
    token = services.take_over(attempt)
    db.session.commit()
    remaining = max(0, int((attempt.deadline - utcnow()).total_seconds()))
    return render_template("exam/attempt.html", attempt=attempt, token=token, remaining=remaining,
                           next_seq=max((s.saved_seq for s in attempt.slots), default=0) + 1, form=EmptyForm())


@bp.route("/attempt/<int:attempt_id>/save", methods=["POST"])
@login_required
def save(attempt_id):
    """JSON autosave: ``{"token", "position", "seq", "response", "flagged"?}`` →
    ``{"status", "seq", "remaining"}``; 409 when another page took over, 410 when closed."""
    attempt = get_own_attempt_or_404(attempt_id)
    data = request.get_json(silent=True) or {}
    try:
        position, seq = int(data["position"]), int(data["seq"])
    except (KeyError, TypeError, ValueError):
        return jsonify(status="invalid", error=_("Malformed save.")), 400
    result = services.save_answer(attempt, str(data.get("token", "")), position, seq,
                                  data.get("response"), data.get("flagged"))
    db.session.commit()
    remaining = max(0, int((attempt.deadline - utcnow()).total_seconds()))
    status_code = {"saved": 200, "stale": 200, "conflict": 409, "closed": 410, "invalid": 400}[result.status]
    return jsonify(status=result.status, seq=result.seq, remaining=remaining), status_code


@bp.route("/attempt/<int:attempt_id>/state")
@login_required
def state(attempt_id):
    attempt = get_own_attempt_or_404(attempt_id)
    remaining = max(0, int((attempt.deadline - utcnow()).total_seconds()))
    return jsonify(state=attempt.state.value, remaining=remaining,
                   answers={s.position: {"response": s.response, "seq": s.saved_seq, "flagged": s.flagged}
                            for s in attempt.slots})


@bp.route("/attempt/<int:attempt_id>/submit", methods=["POST"])
@login_required
def submit(attempt_id):
    attempt = get_own_attempt_or_404(attempt_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.finish_attempt(attempt, AttemptState.SUBMITTED, actor=current_user) or services.close_if_overdue(attempt)
    db.session.commit()
    return redirect(url_for("exam.result", attempt_id=attempt.id))


@bp.route("/attempt/<int:attempt_id>/result")
@login_required
def result(attempt_id):
    attempt = get_own_attempt_or_404(attempt_id)
    if services.close_if_overdue(attempt):
        db.session.commit()
    if attempt.is_open:
        return redirect(url_for("exam.attempt_page", attempt_id=attempt.id))
    return render_template("exam/result.html", attempt=attempt)


# ---- administration -------------------------------------------------------

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
        if any(a not in dict(form.agency.choices) for a in [form.agency.data]):
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
    return render_template("exam/admin_detail.html", exam=exam, attempts=queries.attempts_of(exam),
                           problems=services.check_feasible(exam), form=EmptyForm())


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
    return redirect(url_for("exam.admin_detail", exam_id=exam.id))


@bp.route("/admin/<int:exam_id>/close", methods=["POST"])
@role_required(*queries.ADMIN_ROLES)
def admin_close(exam_id):
    exam = get_exam_or_404(exam_id)
    if EmptyForm().validate_on_submit():
        services.close_exam(exam, current_user)
        db.session.commit()
    return redirect(url_for("exam.admin_detail", exam_id=exam.id))
