"""The review workflow's views: one step on a question, bulk submit and approve on a bank,
and deletion (refused for a question in use: it is retired instead)."""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

import labels
from accounts.permissions import role_required
from extensions import db
from question_bank import bp, services
from question_bank.access import ACTION_ROLES, EDIT, REVIEW, category_in, get_bank_or_404, get_question_or_404
from question_bank.forms import BulkForm, ReasonForm


@bp.route("/<int:bank_id>/approve-all", methods=["POST"])
@role_required(*REVIEW)
def approve_all(bank_id):
    """Approve every draft and in-review question (of a category subtree) not written by
    the reviewer (DECISIONS.md 15)."""
    bank = get_bank_or_404(bank_id, *REVIEW)
    form = BulkForm()
    if form.validate_on_submit():
        done, own = services.approve_all(bank, current_user, category_in(bank, form.category.data))
        db.session.commit()
        flash(ngettext("%(num)d question approved.", "%(num)d questions approved.", done), "success")
        if own:
            flash(ngettext("%(num)d question you wrote was left for another reviewer.",
                           "%(num)d questions you wrote were left for another reviewer.", own), "warning")
    return redirect(url_for("question_bank.bank_detail", bank_id=bank.id, category=form.category.data or None))


@bp.route("/<int:bank_id>/submit-all", methods=["POST"])
@role_required(*EDIT)
def submit_all(bank_id):
    bank = get_bank_or_404(bank_id, *EDIT)
    form = BulkForm()
    if form.validate_on_submit():
        done = services.submit_all(bank, current_user, category_in(bank, form.category.data))
        db.session.commit()
        flash(ngettext("%(num)d draft sent for review.", "%(num)d drafts sent for review.", done), "success")
    return redirect(url_for("question_bank.bank_detail", bank_id=bank.id, category=form.category.data or None))


@bp.route("/question/<int:question_id>/status/<action>", methods=["POST"])
@role_required(*(EDIT + REVIEW))
def change_status(question_id, action):
    if action not in services.TRANSITIONS:
        abort(404)
    question = get_question_or_404(question_id, *ACTION_ROLES[action])
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            services.transition(question, action, current_user, form.reason.data or "")
        except services.BankError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("%(action)s: done. The question is now “%(status)s”.", action=labels.QUESTION_ACTIONS[action],
                    status=labels.QUESTION_STATUSES[question.status.value]), "success")
    return redirect(url_for("question_bank.question_detail", question_id=question.id))


@bp.route("/question/<int:question_id>/delete", methods=["POST"])
@role_required(*EDIT)
def delete_question(question_id):
    question = get_question_or_404(question_id, *EDIT)
    bank_id = question.bank_id
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            services.delete_question(question, current_user)
        except services.BankError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(url_for("question_bank.question_detail", question_id=question_id))
        db.session.commit()
        flash(_("Question deleted."), "success")
    return redirect(url_for("question_bank.bank_detail", bank_id=bank_id))
