"""Bank pages: list, browse and filter, import, the question page with its versions, the
editor with live preview, the review workflow and deletion."""
from types import SimpleNamespace

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

import labels
from accounts.models import Role
from accounts.permissions import can_reach, reachable_agencies, require_reach, role_required
from extensions import db
from question_bank import queries, services
from question_bank.editor import editor_for
from question_bank.formats import FormatError
from question_bank.formats.grades import parse_decimal
from question_bank.forms import BankForm, BulkForm, ImportForm, ReasonForm, SearchForm
from question_bank.models import Category, Question, QuestionBank, QuestionFile, QuestionVersion

bp = Blueprint("question_bank", __name__)
EDIT = (Role.BANK_EDITOR,)
REVIEW = (Role.REVIEWER,)
# Who may take each workflow step (besides reaching the bank's agency).
ACTION_ROLES = {"submit": EDIT, "approve": REVIEW, "return": REVIEW, "retire": EDIT + REVIEW, "reinstate": EDIT}


def get_bank_or_404(bank_id: int, *roles: Role) -> QuestionBank:
    bank = db.get_or_404(QuestionBank, bank_id)
    require_reach(current_user, bank.agency, *(roles or queries.BANK_ROLES))
    return bank


def get_question_or_404(question_id: int, *roles: Role) -> Question:
    """The question when the user reaches its bank with a bank role (404 otherwise), and
    holds one of ``roles`` there (403 otherwise)."""
    question = db.get_or_404(Question, question_id)
    bank = get_bank_or_404(question.bank_id)
    if roles and not can_reach(current_user, bank.agency, *roles):
        abort(403)
    return question


def _category_in(bank: QuestionBank, category_id) -> Category | None:
    if not category_id:
        return None
    category = db.session.get(Category, int(category_id))
    if category is None or category.bank_id != bank.id:
        abort(404)
    return category


@bp.route("/")
@role_required(*queries.BANK_ROLES)
def banks():
    form = BankForm()
    form.agency.choices = [(a.id, a.name) for a in reachable_agencies(current_user, *EDIT)]
    return render_template("question_bank/banks.html", banks=queries.banks_in_scope(current_user), form=form)


@bp.route("/new", methods=["POST"])
@role_required(*EDIT)
def create_bank():
    form = BankForm()
    form.agency.choices = [(a.id, a.name) for a in reachable_agencies(current_user, *EDIT)]
    if form.validate_on_submit():
        if db.session.scalars(select(QuestionBank).where(QuestionBank.code == form.code.data)).first():
            flash(_("A bank with this code already exists."), "danger")
        else:
            bank = QuestionBank(code=form.code.data, name=form.name.data, field=form.field.data,
                                agency_id=form.agency.data)
            db.session.add(bank)
            db.session.commit()
            return redirect(url_for("question_bank.bank_detail", bank_id=bank.id))
    for name, errors in form.errors.items():
        flash(f"{form[name].label.text}: {'; '.join(errors)}", "danger")
    return redirect(url_for("question_bank.banks"))


@bp.route("/<int:bank_id>")
@role_required(*queries.BANK_ROLES)
def bank_detail(bank_id):
    bank = get_bank_or_404(bank_id)
    form = SearchForm(formdata=request.args)
    valid = form.validate()
    category = _category_in(bank, form.category.data if not form.category.errors else None)
    filters = queries.Filters(category=category)
    if valid:
        filters = queries.Filters(category=category, q=form.q.data or "", qtype=form.qtype.data or "",
                                  status=form.status.data or "", tag=form.tag.data or "",
                                  difficulty=form.difficulty.data or "", uses_min=form.uses_min.data,
                                  uses_max=form.uses_max.data)
    page = form.page.data if valid and form.page.data else 1
    counts = queries.bank_counts(bank)
    rows, total = queries.search_questions(bank, filters, page=page, counts=counts)
    pages = (total + queries.PAGE_SIZE - 1) // queries.PAGE_SIZE
    return render_template("question_bank/bank.html", bank=bank, tree=queries.category_counts(bank, counts),
                           category=category, rows=rows, total=total, page=page, page_size=queries.PAGE_SIZE,
                           pager=pager(page, pages),
                           form=form, counts=queries.status_counts(counts),
                           bulk=BulkForm(category=category.id if category else ""),
                           can_edit=can_reach(current_user, bank.agency, *EDIT),
                           can_review=can_reach(current_user, bank.agency, *REVIEW))


def pager(page: int, pages: int) -> list[int | None]:
    """The page numbers a pager shows: the first, the last, two either side of ``page``,
    None where numbers are left out (1 … 4 5 6 7 8 … 1000)."""
    shown = sorted({1, pages, *range(max(page - 2, 1), min(page + 2, pages) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - out[-1] > 1:
            out.append(n - 1 if n - out[-1] == 2 else None)
        out.append(n)
    return out


@bp.route("/<int:bank_id>/import", methods=["GET", "POST"])
@role_required(*EDIT)
def import_questions(bank_id):
    bank = get_bank_or_404(bank_id, *EDIT)
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = services.import_file(bank, upload.read(), upload.filename, skip_invalid=form.skip_invalid.data,
                                          skip_duplicates=form.skip_duplicates.data, user=current_user)
        except FormatError as exc:
            form.file.errors.append(str(exc))
        else:
            if report.written:
                db.session.commit()
                flash(ngettext("%(num)d question imported as a draft.", "%(num)d questions imported as drafts.",
                               report.imported), "success")
            else:
                db.session.rollback()
    return render_template("question_bank/import.html", bank=bank, form=form, report=report)


@bp.route("/<int:bank_id>/approve-all", methods=["POST"])
@role_required(*REVIEW)
def approve_all(bank_id):
    """Approve every draft and in-review question (of a category subtree) not written by
    the reviewer (DECISIONS.md 15)."""
    bank = get_bank_or_404(bank_id, *REVIEW)
    form = BulkForm()
    if form.validate_on_submit():
        done, own = services.approve_all(bank, current_user, _category_in(bank, form.category.data))
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
        done = services.submit_all(bank, current_user, _category_in(bank, form.category.data))
        db.session.commit()
        flash(ngettext("%(num)d draft sent for review.", "%(num)d drafts sent for review.", done), "success")
    return redirect(url_for("question_bank.bank_detail", bank_id=bank.id, category=form.category.data or None))


@bp.route("/question/<int:question_id>")
@role_required(*queries.BANK_ROLES)
def question_detail(question_id):
    question = get_question_or_404(question_id)
    versions = queries.versions(question)
    number = request.args.get("version", type=int)
    version = next((v for v in versions if v.version == number), None) if number else question.current_version
    if number and version is None:
        abort(404)
    agency = question.bank.agency
    return render_template(
        "question_bank/question.html", question=question, version=version, versions=versions,
        uses=queries.usage_counts([question.id]).get(question.id, 0), reason_form=ReasonForm(),
        actions=[a for a, (sources, _t) in services.TRANSITIONS.items()
                 if question.status in sources and can_reach(current_user, agency, *ACTION_ROLES[a])],
        can_edit=can_reach(current_user, agency, *EDIT) and editor_for(question.current_version.qtype) is not None,
        can_delete=can_reach(current_user, agency, *EDIT), in_use=queries.in_use_reason(question))


def _editor_form(bank, qtype, version=None, question=None):
    form_class = editor_for(qtype)
    if form_class is None:
        return None
    data = form_class.data_of(version, question) if version is not None else None
    form = form_class(data=data) if data is not None else form_class()
    form.set_choices(db.session.scalars(select(Category).where(Category.bank_id == bank.id)
                                        .order_by(Category.path)), version.difficulty if version else None)
    return form


def _target_category(bank, form) -> Category | None:
    path = tuple(p.strip() for p in (form.new_category.data or "").split("/") if p.strip())
    if path:
        return services.category_for(bank, path)
    return _category_in(bank, form.category.data)


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
    """The rendered fragment of the examinee's view of the form's content (never saved)."""
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


def _may_see_version(version_id: int) -> bool:
    """Bank staff of the owning agency, or an examinee who was asked this version."""
    from exam.models import Attempt, AttemptSlot

    version = db.session.get(QuestionVersion, version_id)
    if version is None:
        return False
    if can_reach(current_user, version.question.bank.agency, *queries.BANK_ROLES):
        return True
    return db.session.scalar(select(AttemptSlot.id).join(Attempt).where(
        AttemptSlot.version_id == version_id, Attempt.user_id == current_user.id).limit(1)) is not None


@bp.route("/file/<int:version_id>/<path:name>")
@login_required
def question_file(version_id, name):
    """An image of a question version, by name (never a filesystem path)."""
    qfile = db.session.scalars(select(QuestionFile).where(
        QuestionFile.version_id == version_id, QuestionFile.name == name)).first()
    if qfile is None or not qfile.mime.startswith("image/") or not _may_see_version(version_id):
        abort(404)
    return Response(qfile.data, mimetype=qfile.mime, headers={"X-Content-Type-Options": "nosniff",
                                                               "Cache-Control": "private, max-age=3600"})
