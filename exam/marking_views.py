"""The markers' queue and marking page (role ``marker``; anonymous when the exam says so)."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.permissions import require_reach, role_required
from exam import bp, marking, services
from exam.forms import PointsForm
from exam.models import AttemptSlot
from extensions import db


@bp.route("/marking")
@role_required(*marking.MARKING_ROLES)
def marking_queue():
    return render_template("exam/marking_queue.html", slots=marking.marking_queue(current_user),
                           code=marking.candidate_code)


@bp.route("/marking/<int:slot_id>", methods=["GET", "POST"])
@role_required(*marking.MARKING_ROLES)
def mark(slot_id):
    slot = db.get_or_404(AttemptSlot, slot_id)
    require_reach(current_user, slot.attempt.exam.agency, *marking.MARKING_ROLES)
    if slot.attempt.is_open or slot.grade_state not in ("needs_grading",):
        abort(404)
    if marking.is_own(slot, current_user):
        flash(_("You cannot mark your own answer: another marker will."), "danger")
        return redirect(url_for("exam.marking_queue"))
    form = PointsForm()
    if form.validate_on_submit():
        try:
            final = marking.mark_slot(slot, current_user, form.points.data, form.comment.data or "")
            db.session.commit()
            flash(_("Marked: the grade is final.") if final else _("Marked: a second mark is awaited."), "success")
            return redirect(url_for("exam.marking_queue"))
        except services.ExamError:
            db.session.rollback()
            flash(_("The points must lie between 0 and the question's mark, once per marker."), "danger")
    return render_template("exam/mark.html", slot=slot, form=form, code=marking.candidate_code(slot.attempt),
                           anonymous=slot.attempt.exam.anonymous_marking)
