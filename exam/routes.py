"""Examinee pages: list, start, sit (save, events, next), summary, submit, result.

The admin, marking and practice views register on the same blueprint from their modules."""
import secrets

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.auth import is_safe_next
from accounts import sessions
from accounts.forms import EmptyForm
from exam import access, admin_views, bp, events, marking_views, practice_views, queries, services  # noqa: F401
from exam import fast_save
from exam.forms import NextForm, StartForm
from exam.models import Attempt, AttemptState, Exam
from extensions import db


def get_own_attempt_or_404(attempt_id: int) -> Attempt:
    attempt = db.get_or_404(Attempt, attempt_id)
    if attempt.user_id != current_user.id:
        abort(404)
    return attempt


@bp.route("/")
@login_required
def my_exams():
    return render_template("exam/my_exams.html", rows=queries.exams_for_examinee(current_user),
                           window_open=services.window_open, form=StartForm())


@bp.route("/<int:exam_id>/start", methods=["POST"])
@login_required
def start(exam_id):
    """Start (or resume) an attempt; ``?next=`` (a relative URL: the home page) is where a
    refusal — a wrong exam password, a closed window — is shown, else the list of tests."""
    exam = db.get_or_404(Exam, exam_id)
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        attempt = services.start_attempt(exam, current_user, form.password.data, request.remote_addr)
    except services.ExamError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        back = request.args.get("next")
        return redirect(back if is_safe_next(back) else url_for("exam.my_exams"))
    db.session.commit()
    return redirect(url_for("exam.attempt_page", attempt_id=attempt.id))


def _refuse_address(attempt):
    return not access.address_allowed(attempt.exam, request.remote_addr)


@bp.route("/attempt/<int:attempt_id>")
@login_required
def attempt_page(attempt_id):
    attempt = get_own_attempt_or_404(attempt_id)
    if services.close_if_overdue(attempt):
        db.session.commit()
    if not attempt.is_open:
        return redirect(url_for("exam.result", attempt_id=attempt.id))
    if _refuse_address(attempt):
        flash(_("This test can only be taken from the exam rooms' network."), "danger")
        return redirect(url_for("exam.my_exams"))
    token = services.take_over(attempt)
    db.session.commit()
    sequential = attempt.exam.navigation == "sequential"
    if sequential and attempt.current_position > len(attempt.slots):
        return redirect(url_for("exam.summary", attempt_id=attempt.id))
    slots = [s for s in attempt.slots if s.position == attempt.current_position] if sequential else attempt.slots
    versions = queries.versions_of(slots)       # one query, not one per question (kept alive for the page)
    return render_template("exam/attempt.html", attempt=attempt, token=token, slots=slots, sequential=sequential,
                           versions=versions,
                           remaining=services.remaining_seconds(attempt), next_form=NextForm(),
                           next_seq=max((s.saved_seq for s in attempt.slots), default=0) + 1, form=EmptyForm())


sessions.DEFERRED_CHECK_ENDPOINTS.add("exam.save")     # checked inside fast_save's statement
SAVE_CODES = {"saved": 200, "stale": 200, "locked": 200, "conflict": 409, "late": 410, "closed": 410, "invalid": 400}


@bp.route("/attempt/<int:attempt_id>/save", methods=["POST"])
@login_required
def save(attempt_id):
    """JSON autosave: ``{"token", "position", "seq", "response", "flagged"?}`` →
    ``{"status", "seq", "remaining"}``; 409 when another page took over, 410 when closed
    (a save after the deadline plus grace is kept aside as a late save), 403 from an
    address outside the exam's ranges.

    A save that is applied takes one statement (:mod:`exam.fast_save`; the session is
    checked inside it); any other outcome is decided by :func:`services.save_answer`."""
    data = request.get_json(silent=True)
    if current_app.config.get("EXAM_FAST_SAVE", True):
        stored = fast_save.try_save(attempt_id, current_user, data, request.remote_addr,
                                    use_cte=current_app.config.get("EXAM_FAST_SAVE_CTE"))
        if stored is not None:
            db.session.commit()
            return jsonify(status="saved", seq=stored.seq, remaining=stored.remaining(),
                           paused=stored.paused_at is not None), 200
    if not sessions.confirm_identity():
        return current_app.login_manager.unauthorized()
    attempt = get_own_attempt_or_404(attempt_id)
    if _refuse_address(attempt):
        return jsonify(status="forbidden", error=_("Not from the exam rooms' network.")), 403
    data = data if isinstance(data, dict) else {}
    try:
        position, seq = int(data["position"]), int(data["seq"])
    except (KeyError, TypeError, ValueError):
        return jsonify(status="invalid", error=_("Malformed save.")), 400
    result = services.save_answer(attempt, str(data.get("token", "")), position, seq,
                                  data.get("response"), data.get("flagged"))
    db.session.commit()
    return (jsonify(status=result.status, seq=result.seq, remaining=services.remaining_seconds(attempt),
                    paused=attempt.paused_at is not None), SAVE_CODES[result.status])


@bp.route("/attempt/<int:attempt_id>/event", methods=["POST"])
@login_required
def event(attempt_id):
    """JSON ``{"kind"}`` from the page: focus lost/regained, offline/online (reconnect)."""
    attempt = get_own_attempt_or_404(attempt_id)
    data = request.get_json(silent=True) or {}
    kind = str(data.get("kind", ""))
    if kind not in events.CLIENT_KINDS or not attempt.is_open:
        return jsonify(status="ignored"), 200
    events.log(attempt.id, kind, current=secrets.compare_digest(str(data.get("token", "")), attempt.session_token))
    db.session.commit()
    return jsonify(status="logged"), 200


@bp.route("/attempt/<int:attempt_id>/state")
@login_required
def state(attempt_id):
    attempt = get_own_attempt_or_404(attempt_id)
    return jsonify(state=attempt.state.value, remaining=services.remaining_seconds(attempt),
                   paused=attempt.paused_at is not None, current_position=attempt.current_position,
                   answers={s.position: {"response": s.response, "seq": s.saved_seq, "flagged": s.flagged}
                            for s in attempt.slots})


@bp.route("/attempt/<int:attempt_id>/next", methods=["POST"])
@login_required
def next_question(attempt_id):
    """Sequential navigation: leave the current question for good."""
    attempt = get_own_attempt_or_404(attempt_id)
    form = NextForm()
    if not form.validate_on_submit():
        abort(400)
    services.next_question(attempt, form.position.data)
    db.session.commit()
    return redirect(url_for("exam.attempt_page", attempt_id=attempt.id))


@bp.route("/attempt/<int:attempt_id>/summary")
@login_required
def summary(attempt_id):
    """Answered / not answered / flagged, before submitting."""
    attempt = get_own_attempt_or_404(attempt_id)
    if services.close_if_overdue(attempt):
        db.session.commit()
    if not attempt.is_open:
        return redirect(url_for("exam.result", attempt_id=attempt.id))
    rows = [(s, services.has_answer(s.response)) for s in attempt.slots if s.version.qtype != "description"]
    return render_template("exam/summary.html", attempt=attempt, rows=rows, form=EmptyForm(),
                           remaining=services.remaining_seconds(attempt),
                           sequential=attempt.exam.navigation == "sequential")


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
