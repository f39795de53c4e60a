"""Task lists as XLSX in a Vietnamese template: export, and import with a row-by-row report,
all or nothing (a single bad row imports nothing).

Columns are found by their header (order free; extra columns such as the export's status
columns are ignored).

A row may assign the task to a unit ("Mã đơn vị được giao", the agency's code): the unit's
head answers for it (the username may then be empty, or must be the head's).  A row may name
its parent task ("Nhiệm vụ cha"): ``#123`` is an existing task (id 123) the importer answers
for; a bare number is the row of this file with that STT.  A child cannot outlive its parent
(same year, period and deadline not after the parent's); a child of a row with errors, a
reference to an unknown row and a loop are row errors.

Numbers are exact: a number cell is read through its decimal text,
a text cell may use a decimal comma ("2,5").  Dates are date cells or dd/mm/yyyy text.
"""
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from io import BytesIO

from flask_babel import gettext as _
from openpyxl import load_workbook
from sqlalchemy import select

from accounts.models import Agency, User
from accounts.permissions import can_reach
from extensions import db
from performance.models import CatalogueItem, Task, TaskKind
from performance.queries import SUPERVISE, catalogue_for, unit_head
from performance.services import add_task, check_child
from spreadsheet import workbook_bytes

# The template's columns (Vietnamese by design: the lists go to Vietnamese agencies).
USERNAME, NAME, YEAR, QUARTER, TITLE, INDICATOR, UNIT, TARGET, FACTOR, WEIGHT, DEADLINE, KIND, CODE = (
    "Tên đăng nhập", "Họ và tên", "Năm", "Quý", "Nhiệm vụ", "Sản phẩm (kết quả đầu ra)", "Đơn vị tính",
    "Chỉ tiêu (số lượng)", "Hệ số quy đổi", "Trọng số", "Hạn hoàn thành", "Nhiệm vụ đột phá",
    "Mã sản phẩm danh mục")
ROW, UNIT_CODE, PARENT, TASK_ID = "STT", "Mã đơn vị được giao", "Nhiệm vụ cha", "ID nhiệm vụ"
COLUMNS = (ROW, USERNAME, NAME, YEAR, QUARTER, TITLE, INDICATOR, UNIT, TARGET, FACTOR, WEIGHT, DEADLINE, KIND, CODE,
           UNIT_CODE, PARENT)
STATUS = (TASK_ID, "Giá trị báo cáo", "Giá trị được chấp nhận", "Trạng thái")
REQUIRED = (USERNAME, YEAR, QUARTER, TITLE, TARGET, DEADLINE)
MAX_ROWS = 5000
YES = {"x", "có", "co", "1", "true", "yes", "đột phá"}
NO = {"", "không", "khong", "0", "false", "no"}
QUARTERS = {"1": "Q1", "2": "Q2", "3": "Q3", "4": "Q4", "i": "Q1", "ii": "Q2", "iii": "Q3", "iv": "Q4"}
WIDTHS = [6, 18, 24, 8, 6, 40, 36, 12, 12, 10, 10, 14, 10, 16, 14, 12, 10, 12, 12, 20]


def template_bytes() -> bytes:
    example = [1, "nguyen.van.a", "Nguyễn Văn A", 2026, 1, "Tham mưu văn bản quy phạm pháp luật",
               "Văn bản trình ký ban hành", "văn bản", 4, 1, 1, "31/03/2026", "", "", "", ""]
    return workbook_bytes("Danh sách nhiệm vụ", list(COLUMNS), [example], WIDTHS)


def export_bytes(tasks) -> bytes:
    """``tasks`` in the template's columns, then their id and status (reported, accepted
    value).  A parent in the same sheet is referred to by its STT, any other by ``#id``."""
    rows = []
    tasks = list(tasks)
    numbers = {getattr(t, "id", None): i for i, t in enumerate(tasks, start=1)}
    for i, t in enumerate(tasks, start=1):
        unit_id, parent_id = getattr(t, "unit_id", None), getattr(t, "parent_id", None)
        report = t.latest_report
        v = report.verification if report else None
        state = "Đã kiểm chứng" if v else "Chờ kiểm chứng" if report else "Chưa báo cáo"
        rows.append([i, t.assignee.username, t.assignee.full_name, t.year, int(t.period[-1]), t.title, t.indicator,
                     t.unit_of_measure, _number(t.target), _number(t.factor), _number(t.weight),
                     t.deadline.strftime("%d/%m/%Y"), "x" if t.kind == TaskKind.BREAKTHROUGH else "",
                     t.catalogue_item.code if t.catalogue_item_id and t.catalogue_item else "",
                     t.unit.code if unit_id else "",
                     "" if parent_id is None else numbers.get(parent_id, f"#{parent_id}"), getattr(t, "id", ""),
                     _number(report.actual_value) if report else "", _number(v.accepted_value) if v else "", state])
    return workbook_bytes("Danh sách nhiệm vụ", list(COLUMNS + STATUS), rows, WIDTHS)


def _number(value: Fraction):
    """An exact Fraction as a cell: int when whole, decimal text when it terminates."""
    if value.denominator == 1:
        return int(value)
    text = str(Decimal(value.numerator) / Decimal(value.denominator))
    return float(text) if Fraction(text) == value and len(text) <= 15 else str(value)


@dataclass
class RowReport:
    row: int
    errors: list = field(default_factory=list)
    task: Task | None = None
    item: CatalogueItem | None = None
    parent_ref: tuple | None = None     # ("task", id) or ("row", STT)
    parent_row: "RowReport | None" = None
    parent_task: Task | None = None     # an existing parent (``#id``)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _exact(value, what: str, errors: list) -> Fraction | None:
    text = _text(value).replace(" ", "").replace(",", ".")
    try:
        number = Fraction(text) if "/" in text else Fraction(Decimal(text))
    except (InvalidOperation, ValueError, ZeroDivisionError):
        errors.append(_("%(what)s is not a number: “%(value)s”.", what=what, value=_text(value)))
        return None
    if number <= 0:
        errors.append(_("%(what)s must be above 0.", what=what))
        return None
    return number


def _date(value, errors: list) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", _text(value))
    if match:
        try:
            return date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            pass
    errors.append(_("The deadline is not a date (dd/mm/yyyy): “%(value)s”.", value=_text(value)))
    return None


def read_rows(data: bytes) -> tuple[list[tuple[int, dict]], list[str]]:
    """(row number, {header: value}) of the first sheet's non-empty rows, and file errors."""
    try:
        sheet = load_workbook(BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception:   # openpyxl raises many kinds for a file that is not XLSX
        return [], [_("The file is not an XLSX workbook.")]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(h) for h in next(rows, ())]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        return [], [_("Columns missing from the header row: %(cols)s.", cols=", ".join(missing))]
    out = []
    for number, values in enumerate(rows, start=2):
        record = {h: v for h, v in zip(header, values) if h}
        if all(_text(v) == "" for v in record.values()):
            continue
        out.append((number, record))
        if len(out) > MAX_ROWS:
            return [], [_("At most %(n)d rows per file.", n=MAX_ROWS)]
    return out, []


def _unit(record, importer, units: dict, users: dict, errors: list):
    """(unit, its head) for a unit row, (None, the named user) otherwise."""
    code, username = _text(record.get(UNIT_CODE)), _text(record.get(USERNAME))
    if not code:
        return None, users.get(username)
    unit = units.get(code)
    head = unit_head(unit) if unit is not None else None
    if unit is None or not can_reach(importer, unit, *SUPERVISE):
        errors.append(_("Unknown unit code, or not a unit you supervise: “%(code)s”.", code=code))
    elif head is None or head.id == importer.id:
        errors.append(_("%(unit)s has no head (other than you) to answer for the task.", unit=unit.name))
    elif username and username != head.username:
        errors.append(_("The username is not the head of %(unit)s (%(head)s): leave it empty for a unit task.",
                        unit=unit.name, head=head.username))
    else:
        return unit, head
    return None, False


def _parent_ref(record, errors: list):
    text = _text(record.get(PARENT))
    match = re.fullmatch(r"#\s*(\d+)|(?:stt\s*)?(\d+)", text.lower())
    if not text:
        return None
    if match is None:
        errors.append(_("“%(col)s”: write #id of an existing task or the STT of a row of this file, not “%(value)s”.",
                        col=PARENT, value=text))
        return None
    return ("task", int(match[1])) if match[1] else ("row", int(match[2]))


def check_row(number: int, record: dict, importer, users: dict, catalogue: dict,
              units: dict | None = None) -> RowReport:
    """Validate one row into an unsaved Task (``users``: username → User, ``catalogue``:
    code → [CatalogueItem], ``units``: agency code → Agency).  The parent is resolved
    afterwards, across rows (:func:`_link_parents`)."""
    report = RowReport(number)
    errors = report.errors
    unit, user = _unit(record, importer, units or {}, users, errors)
    if user is False:
        user = None
    elif user is None or user.id == importer.id or not can_reach(importer, unit or user.agency, *SUPERVISE):
        errors.append(_("Unknown username, or not someone you supervise: “%(u)s”.", u=_text(record.get(USERNAME))))
    elif _text(record.get(NAME)) and _text(record.get(NAME)) != user.full_name:
        errors.append(_("The name does not match the username (%(name)s).", name=user.full_name))
    year = _text(record.get(YEAR))
    if not year.isdigit() or not 2020 <= int(year) <= 2100:
        errors.append(_("The year is not valid: “%(value)s”.", value=year))
    quarter = QUARTERS.get(_text(record.get(QUARTER)).lower().removeprefix("quý").removeprefix("q").strip())
    if quarter is None:
        errors.append(_("The quarter must be 1 to 4: “%(value)s”.", value=_text(record.get(QUARTER))))
    target = _exact(record.get(TARGET), TARGET, errors)
    weight = _exact(record.get(WEIGHT), WEIGHT, errors) if _text(record.get(WEIGHT)) else Fraction(1)
    factor = _exact(record.get(FACTOR), FACTOR, errors) if _text(record.get(FACTOR)) else None
    deadline = _date(record.get(DEADLINE), errors)
    if deadline and year.isdigit() and deadline.year != int(year):
        errors.append(_("The deadline is not in %(year)s.", year=year))
    kind = _text(record.get(KIND)).lower()
    if kind not in YES | NO:
        errors.append(_("“%(col)s”: write x for a breakthrough task or leave it empty.", col=KIND))
    item = _catalogue_item(record, user, catalogue, factor, errors)
    title, indicator, measure = (_text(record.get(c)) for c in (TITLE, INDICATOR, UNIT))
    if item is None and not (title and indicator and measure):
        errors.append(_("Task, product and unit of measure are required (or a catalogue code)."))
    if len(title) > 500 or len(indicator) > 500 or len(measure) > 100:
        errors.append(_("A text is too long."))
    report.parent_ref = _parent_ref(record, errors)
    if not errors:
        report.item = item
        report.task = Task(year=int(year), period=f"{year}-{quarter}", assigner_id=importer.id, assignee_id=user.id,
                           unit_id=unit.id if unit is not None else None,
                           title=title, indicator=indicator, unit_of_measure=measure, target=target,
                           factor=factor or Fraction(1), weight=weight, deadline=deadline,
                           kind=TaskKind.BREAKTHROUGH if kind in YES else TaskKind.REGULAR)
    return report


def _catalogue_item(record, user, catalogue, factor, errors) -> CatalogueItem | None:
    code = _text(record.get(CODE))
    if not code or user is None:
        return None
    item = next((i for i in catalogue.get(code, ()) if i.applies_to(user)), None)
    if item is None:
        errors.append(_("No catalogue product “%(code)s” for this person's job position.", code=code))
    elif factor is not None and factor != item.factor:
        errors.append(_("The conversion factor differs from the catalogue's (%(f)s).", f=str(item.factor)))
    return item


def _link_parents(reports: list[RowReport], records: list, importer) -> None:
    """Resolve each row's parent (an existing task the importer answers for, or a row of the
    file by STT) and check that the child stays within its parent; errors go to the row.
    Nothing is linked in the session here: :func:`import_tasks` sets ``parent_id`` on adding."""
    by_stt: dict[str, list[RowReport]] = {}
    for report, (_n, record) in zip(reports, records):
        by_stt.setdefault(_text(record.get(ROW)), []).append(report)
    for report in reports:
        if report.parent_ref is None:
            continue
        kind, ref = report.parent_ref
        if kind == "task":
            parent = db.session.get(Task, ref)
            if parent is None or parent.assignee_id != importer.id:
                report.errors.append(_("Parent task #%(id)d: no task of yours has this id.", id=ref))
                continue
            report.parent_task = parent
        else:
            rows = by_stt.get(str(ref), [])
            if len(rows) != 1:
                report.errors.append(_("Parent STT %(n)d: no single row of this file has this STT.", n=ref))
                continue
            if rows[0] is report:
                report.errors.append(_("A task cannot be its own parent."))
                continue
            parent, report.parent_row = rows[0].task, rows[0]
            if parent is None:
                report.errors.append(_("The parent row (STT %(n)d) has errors.", n=ref))
                continue
        if report.task is not None:
            problem = check_child(parent, report.task.period, report.task.deadline)
            if problem:
                report.errors.append(problem)
    for report in reports:                     # a loop of rows never reaches a top task
        seen, node = set(), report
        while node.parent_row is not None and id(node) not in seen:
            seen.add(id(node))
            node = node.parent_row
        if node.parent_row is not None:
            report.errors.append(_("The parent tasks of this row form a loop."))
    changed = True
    while changed:                             # a row below a row found wrong is wrong too
        changed = False
        for report in reports:
            above = report.parent_row
            if above is not None and above.errors and not report.errors:
                report.errors.append(_("The parent row (STT %(n)d) has errors.", n=report.parent_ref[1]))
                changed = True


def _depth(report: RowReport) -> int:
    depth, node = 0, report
    while node.parent_row is not None:
        depth, node = depth + 1, node.parent_row
    return depth


def import_tasks(data: bytes, importer) -> tuple[list[RowReport], list[str], list[Task]]:
    """Check every row; when all are valid add their tasks (audited; parents before their
    children), else add nothing.  Returns (row reports, file errors, tasks added)."""
    records, problems = read_rows(data)
    if problems:
        return [], problems, []
    if not records:
        return [], [_("The file has no task rows.")], []
    names = {_text(r.get(USERNAME)) for _n, r in records}
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(names)))}
    codes = {_text(r.get(UNIT_CODE)) for _n, r in records} - {""}
    units = {a.code: a for a in db.session.scalars(select(Agency).where(Agency.code.in_(codes)))} if codes else {}
    catalogue = {}
    for item in catalogue_for(importer):
        catalogue.setdefault(item.code, []).append(item)
    reports = [check_row(n, r, importer, users, catalogue, units) for n, r in records]
    _link_parents(reports, records, importer)
    if any(r.errors for r in reports):
        return reports, [], []
    for r in sorted(reports, key=_depth):      # parents first: their ids exist for the children
        parent = r.parent_task or (r.parent_row.task if r.parent_row is not None else None)
        r.task.parent_id = parent.id if parent is not None else None
        add_task(r.task, importer, r.item, source="xlsx")
    return reports, [], [r.task for r in reports]
