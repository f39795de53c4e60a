"""Bank pages: the list of banks, a bank with its filters, import, the question page with
its versions, and question images.  The editor's views are in ``editor_views``, the
review workflow's in ``review_views`` (registered on the same blueprint here)."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from accounts.permissions import can_reach, reachable_agencies, role_required
from extensions import db
from question_bank import bp, editor_views, queries, review_views, services  # noqa: F401
from question_bank.access import (ACTION_ROLES, EDIT, REVIEW, category_in, get_bank_or_404,
                                  get_question_or_404)
from question_bank.editor import editor_for
from question_bank.formats import FormatError
from question_bank.forms import BankForm, BulkForm, ImportForm, ReasonForm, SearchForm
from question_bank.models import QuestionBank, QuestionFile, QuestionVersion


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
    category = category_in(bank, form.category.data if not form.category.errors else None)
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
