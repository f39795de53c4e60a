"""Bank pages: list, browse by category with accent-insensitive search, import, preview."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from accounts.models import Role
from accounts.permissions import can_reach, reachable_agencies, require_reach, role_required
from extensions import db
from question_bank import queries, services
from question_bank.formats import FormatError
from question_bank.forms import BankForm, ImportForm
from question_bank.models import Category, Question, QuestionBank, QuestionFile, QuestionVersion

bp = Blueprint("question_bank", __name__)
EDIT = (Role.BANK_EDITOR,)


def get_bank_or_404(bank_id: int, *roles: Role) -> QuestionBank:
    bank = db.get_or_404(QuestionBank, bank_id)
    require_reach(current_user, bank.agency, *(roles or queries.BANK_ROLES))
    return bank


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
    category = None
    if request.args.get("category", type=int):
        category = db.get_or_404(Category, request.args.get("category", type=int))
        if category.bank_id != bank.id:
            abort(404)
    page = max(request.args.get("page", 1, type=int), 1)
    rows, total = queries.search_questions(bank, category=category, q=request.args.get("q", ""),
                                           qtype=request.args.get("qtype", ""),
                                           status=request.args.get("status", ""), page=page)
    return render_template("question_bank/bank.html", bank=bank, tree=queries.category_counts(bank),
                           category=category, rows=rows, total=total, page=page, page_size=queries.PAGE_SIZE)


@bp.route("/<int:bank_id>/import", methods=["GET", "POST"])
@role_required(*EDIT)
def import_questions(bank_id):
    bank = get_bank_or_404(bank_id, *EDIT)
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = services.import_file(bank, upload.read(), upload.filename,
                                          skip_invalid=form.skip_invalid.data, user=current_user)
        except FormatError as exc:
            form.file.errors.append(str(exc))
        else:
            if report.written:
                db.session.commit()
                flash(_("%(n)d questions imported.", n=report.imported), "success")
            else:
                db.session.rollback()
    return render_template("question_bank/import.html", bank=bank, form=form, report=report)


@bp.route("/question/<int:question_id>")
@role_required(*queries.BANK_ROLES)
def question_detail(question_id):
    question = db.get_or_404(Question, question_id)
    get_bank_or_404(question.bank_id)
    versions = db.session.scalars(select(QuestionVersion).where(QuestionVersion.question_id == question.id)
                                  .order_by(QuestionVersion.version.desc())).all()
    return render_template("question_bank/question.html", question=question,
                           version=question.current_version, versions=versions)


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
