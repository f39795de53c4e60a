"""Report pages: per exam (results, breakdowns, item analysis, XLSX), a person's result
sheet (PDF), year-over-year pages of a person and a unit, and the HR dashboard."""
from datetime import date

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from accounts.models import Agency, Role, User
from accounts.permissions import can_reach, has_role, require_reach, role_required
from exam.models import Attempt
from extensions import db
from reports import export, labels, pdf, queries, svg, years
from reports.exam_data import exam_stats
from scoring.item_analysis import MIN_ATTEMPTS

bp = Blueprint("reports", __name__)
HR_ROLES = (Role.HR_OFFICER, Role.HEAD)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _decimal() -> str:
    return "," if str(get_locale()) == "vi" else "."


def _unit_or_default(units: list[Agency]) -> Agency:
    """The ``unit`` asked for (it must be in the reader's scope), else the first in tree order."""
    unit_id = request.args.get("unit", type=int)
    if unit_id is None:
        return units[0]
    unit = next((u for u in units if u.id == unit_id), None)
    if unit is None:
        abort(404)
    return unit


def _xlsx(data: bytes, name: str) -> Response:
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                  "X-Content-Type-Options": "nosniff"})


@bp.route("/")
@role_required(*queries.REPORT_ROLES)
def index():
    year = request.args.get("year", date.today().year, type=int)
    units = [u for u in queries.report_units(current_user) if u.is_rating_unit or u.parent is None]
    return render_template("reports/index.html", exams=queries.exams_for(current_user), year=year, units=units,
                           can_see_items=queries.can_see_items)


@bp.route("/exam/<int:exam_id>")
@role_required(*queries.REPORT_ROLES)
def exam(exam_id):
    exam = queries.get_exam_or_404(exam_id, current_user)
    units = queries.report_units(current_user)
    unit = _unit_or_default(units)
    report = queries.exam_report(exam, current_user, unit)
    rows = report["rows"]
    people = sorted(rows, key=lambda r: queries.name_key(r.full_name)) if len(rows) <= queries.PEOPLE_SHOWN else []
    return render_template("reports/exam.html", exam=exam, unit=unit, units=units, people=people,
                           charts=_exam_charts(report, unit, float(exam.pass_fraction * 100)),
                           names=queries.agency_names(r.agency_id for r in people),
                           can_see_items=queries.can_see_items(current_user, exam), tables=export.TABLES,
                           people_shown=queries.PEOPLE_SHOWN, outcome_code=labels.outcome_code,
                           outcomes=labels.OUTCOMES, **report)


def _exam_charts(report: dict, unit: Agency, pass_percent: float) -> dict:
    """The exam page's three SVG charts (the tables beside them carry the same numbers)."""
    decimal = _decimal()
    topics = [(path.split(" / ")[-1], mean) for path, _asked, mean in report["topics"]]
    return {
        "histogram": svg.histogram(
            report["summary"].histogram, pass_percent, chart_id="c-hist", decimal=decimal,
            title=_("Scores of %(unit)s", unit=unit.name), pass_label=_("pass mark"),
            desc=_("Number of people per band of a tenth of the maximum score; the dashed line is the pass mark.")),
        "topics": svg.bars(topics, chart_id="c-topics", decimal=decimal, title=_("Mean score per topic"),
                           desc=_("Mean percentage of the topic's points earned.")),
        "agencies": svg.bars(
            [(g.label, g.mean) for g in report["agencies"]], chart_id="c-agencies", decimal=decimal,
            marker=pass_percent, marker_label=_("pass mark"), title=_("Mean score per agency"),
            desc=_("Mean percentage of the maximum per agency; the dashed line is the pass mark.")),
    }


@bp.route("/exam/<int:exam_id>/items")
@role_required(*queries.ITEM_ROLES)
def items(exam_id):
    exam = _items_exam(exam_id)
    stats = exam_stats(exam)
    return render_template("reports/items.html", exam=exam, stats=stats, test=stats.analysis.test,
                           rows=list(zip(stats.items, stats.analysis.items)), min_attempts=MIN_ATTEMPTS, **_flag_words())


@bp.route("/exam/<int:exam_id>/items/<int:version_id>")
@role_required(*queries.ITEM_ROLES)
def item(exam_id, version_id):
    exam = _items_exam(exam_id)
    stats = exam_stats(exam)
    index = next((j for j, info in enumerate(stats.items) if info.version_id == version_id), None)
    if index is None:
        abort(404)
    info, item = stats.items[index], stats.analysis.items[index]
    return render_template("reports/item.html", exam=exam, info=info, item=item, number=index + 1,
                           texts={key: text for key, text, _f in info.options},
                           bank_url=_bank_url(info.question_id),
                           group_size=stats.analysis.group_size, regrade_url=_regrade_url(exam), **_flag_words())


def _flag_words() -> dict:
    return {"flag_names": labels.FLAGS, "flag_help": labels.FLAG_HELP, "option_label": labels.option_label}


def _bank_url(question_id: int) -> str | None:
    """The question's page in the bank, for readers who may open it."""
    if not has_role(current_user, Role.BANK_EDITOR, Role.REVIEWER):
        return None
    endpoint = next((e for e in ("question_bank.question_detail", "question_bank.question")
                     if e in current_app.view_functions), None)
    return url_for(endpoint, question_id=question_id) if endpoint else None


def _regrade_url(exam) -> str | None:
    """The exam feature's regrade form, when this build has it (issue 4)."""
    if "exam.admin_regrade" not in current_app.view_functions:
        return None
    return url_for("exam.admin_regrade", exam_id=exam.id)


def _items_exam(exam_id: int):
    exam = queries.get_exam_or_404(exam_id, current_user)
    if not queries.can_see_items(current_user, exam):
        abort(404)
    return exam


@bp.route("/exam/<int:exam_id>/<table>.xlsx")
@role_required(*queries.REPORT_ROLES)
def export_table(exam_id, table):
    exam = queries.get_exam_or_404(exam_id, current_user)
    if table not in export.TABLES:
        abort(404)
    name = f"{exam.code}-{table}.xlsx"
    if table in ("items", "options"):
        exam = _items_exam(exam_id)
        stats = exam_stats(exam)
        return _xlsx(export.items_xlsx(stats) if table == "items" else export.options_xlsx(stats), name)
    unit = _unit_or_default(queries.report_units(current_user))
    report = queries.exam_report(exam, current_user, unit)
    if table == "results":
        rows = sorted(report["rows"], key=lambda r: queries.name_key(r.full_name))
        data = export.results_xlsx(rows, queries.agency_names(r.agency_id for r in rows))
    elif table == "agencies":
        data = export.groups_xlsx(report["agencies"], _("Agencies"), _("Agency"))
    elif table == "positions":
        data = export.groups_xlsx(report["positions"], _("Job positions"), _("Job position"))
    else:
        data = export.topics_xlsx(report["topics"])
    return _xlsx(data, name)


@bp.route("/attempt/<int:attempt_id>/sheet.pdf")
@login_required
def sheet(attempt_id):
    attempt = db.get_or_404(Attempt, attempt_id)
    own = attempt.user_id == current_user.id
    if own and not attempt.exam.show_result:
        abort(404)
    if not own and not can_reach(current_user, attempt.user.agency, *queries.REPORT_ROLES):
        abort(404)
    if attempt.is_open:
        abort(404)
    if not pdf.available():
        return Response(_("PDF sheets are unavailable on this server: %(reason)s", reason=pdf.unavailable_reason()),
                        status=503, mimetype="text/plain")
    html = render_template("reports/sheet.html", attempt=attempt, exam=attempt.exam, person=attempt.user,
                           topics=queries.attempt_topics(attempt), printed=queries.today_local())
    data = pdf.html_to_pdf(html, base_url=request.url_root)
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="ket-qua-{attempt.exam.code}-{attempt.user_id}.pdf"'})


@bp.route("/person/<int:user_id>")
@login_required
def person(user_id):
    person = db.get_or_404(User, user_id)
    if person.id != current_user.id:
        require_reach(current_user, person.agency, *queries.REPORT_ROLES)
    return render_template("reports/person.html", person=person, years=years.person_years(person, own=person.id == current_user.id),
                           own=person.id == current_user.id)


@bp.route("/unit/<int:agency_id>")
@role_required(*queries.REPORT_ROLES)
def unit(agency_id):
    agency = db.get_or_404(Agency, agency_id)
    require_reach(current_user, agency, *queries.REPORT_ROLES)
    return render_template("reports/unit.html", agency=agency, years=years.unit_years(agency),
                           levels=years.LEVEL_ORDER)


@bp.route("/hr")
@role_required(*HR_ROLES)
def hr():
    year = request.args.get("year", date.today().year, type=int)
    if not 2000 <= year <= 2100:
        abort(404)
    board = years.hr_board(current_user, year, HR_ROLES)
    return render_template("reports/hr.html", board=board, levels=years.LEVEL_ORDER,
                           exams_url=url_for("reports.index", year=year))
