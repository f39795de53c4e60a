"""The editor's views: new question, edit (a new version), and the live preview that
renders the examinee's view of the unsaved form (static/js/question_editor.js)."""
from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from accounts.permissions import role_required
from extensions import db
from question_bank import bp, services
from question_bank.access import EDIT, category_in, get_bank_or_404, get_question_or_404
from question_bank.editor import editor_for
from question_bank.formats.grades import parse_decimal
from question_bank.models import Category


def _editor_form(bank, qtype, version=None, question=None):
    form_class = editor_for(qtype)
    if form_class is None:
        return None
    data = form_class.data_of(version, question) if version is not None else None
    form = form_class(data=data) if data is not None else form_class()
    form.previous = version
    form.set_choices(db.session.scalars(select(Category).where(Category.bank_id == bank.id)
                                        .order_by(Category.path)), version.difficulty if version else None)
    return form


def _target_category(bank, form) -> Category | None:
    path = tuple(p.strip() for p in (form.new_category.data or "").split("/") if p.strip())
    if path:
        return services.category_for(bank, path)
    return category_in(bank, form.category.data)


@bp.route("/<int:bank_id>/new", methods=["GET", "POST"])
@role_required(*EDIT)
def new_question(bank_id):
    bank = get_bank_or_404(bank_id, *EDIT)
    qtype = request.args.get("qtype", "multichoice")
    form = _editor_form(bank, qtype)
    if form is None:
        abort(404)
    problems, warnings = [], []
    if form.validate_on_submit():
        parsed, problems, warnings = form.checked()
        category = _target_category(bank, form) if parsed else None
        if parsed and category is None:
            problems = [_("Choose a category or name a new one.")]
        elif parsed:
            question = services.create_question(bank, category, parsed, current_user, **form.meta_fields())
            db.session.commit()
            flash(_("Question saved as a draft."), "success")
            for warning in warnings:
                flash(warning, "warning")
            return redirect(url_for("question_bank.question_detail", question_id=question.id))
    return render_template("question_bank/editor.html", bank=bank, question=None, form=form, qtype=qtype,
                           problems=problems, preview_url=url_for("question_bank.preview_new", bank_id=bank.id,
                                                                  qtype=qtype))


@bp.route("/question/<int:question_id>/edit", methods=["GET", "POST"])
@role_required(*EDIT)
def edit_question(question_id):
    question = get_question_or_404(question_id, *EDIT)
    version = question.current_version
    form = _editor_form(question.bank, version.qtype, version, question)
    if form is None:
        flash(_("Questions of this type cannot be edited here yet; change them in a file and import it."), "warning")
        return redirect(url_for("question_bank.question_detail", question_id=question.id))
    problems = []
    if form.validate_on_submit():
        parsed, problems, warnings = form.checked(version)
        if parsed:
            try:
                edit = services.save_version(question, parsed, current_user,
                                             _target_category(question.bank, form), **form.meta_fields())
            except services.BankError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
                return redirect(url_for("question_bank.question_detail", question_id=question.id))
            db.session.commit()
            _flash_edit(question, edit)
            for warning in warnings:
                flash(warning, "warning")
            return redirect(url_for("question_bank.question_detail", question_id=question.id))
    return render_template("question_bank/editor.html", bank=question.bank, question=question, form=form,
                           qtype=version.qtype, problems=problems,
                           preview_url=url_for("question_bank.preview_edit", question_id=question.id))


def _flash_edit(question, edit) -> None:
    if edit.moved:
        flash(_("The question is now in “%(path)s”.", path=question.category.path), "success")
    if edit.version is not None:
        flash(_("Version %(n)d saved.", n=edit.version.version), "success")
        if question.status.value == "draft" and edit.version.approved_at is None:
            flash(_("The question needs a new review before tests can draw it."), "warning")
    elif not edit.moved:
        flash(_("Nothing changed; no new version was made."), "info")


def _preview(form, previous, version_id: int):
    """The rendered fragment of the examinee's view of the form's content (never saved);
    until the question has a text there is nothing to show, and nothing to complain about."""
    if not (form.text.data or "").strip():
        return render_template("question_bank/_preview.html", version=None, problems=None)
    parsed = form.parsed(previous)
    mark = parsed.default_mark if parse_decimal(parsed.default_mark) is not None else "0"
    version = SimpleNamespace(id=version_id, qtype=parsed.qtype, text=parsed.text, payload=parsed.payload,
                              default_mark=mark)
    form.validate()
    problems = [f"{form[name].label.text}: {message}" for name, errs in form.errors.items()
                if name != "csrf_token" for message in _flat(errs)]
    if not problems:
        _parsed, problems, _w = form.checked(previous)
    return render_template("question_bank/_preview.html", version=version, problems=problems)


def _flat(errors) -> list[str]:
    """The messages of a field's errors (a FieldList nests dicts in lists)."""
    if isinstance(errors, dict):
        return [m for v in errors.values() for m in _flat(v)]
    if isinstance(errors, (list, tuple)):
        return [m for v in errors for m in _flat(v)]
    return [str(errors)]


@bp.route("/<int:bank_id>/preview", methods=["POST"])
@role_required(*EDIT)
def preview_new(bank_id):
    bank = get_bank_or_404(bank_id, *EDIT)
    form = _editor_form(bank, request.args.get("qtype", "multichoice"))
    if form is None:
        abort(404)
    return _preview(form, None, 0)


@bp.route("/question/<int:question_id>/preview", methods=["POST"])
@role_required(*EDIT)
def preview_edit(question_id):
    question = get_question_or_404(question_id, *EDIT)
    version = question.current_version
    form = _editor_form(question.bank, version.qtype, version, question)
    if form is None:
        abort(404)
    return _preview(form, version, version.id)
