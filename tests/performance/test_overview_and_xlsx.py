"""The head of agency's overview (all units, bottlenecks) and the XLSX import/export of
task lists (Vietnamese template, row-by-row report, all or nothing)."""
import io
from datetime import date
from fractions import Fraction

import openpyxl
import pytest
from sqlalchemy import select

from extensions import db
from performance import queries, task_sheets
from performance.models import CatalogueItem, ProductReport, Task, Verification
from tests import factories as f


def _task(org, who, title, deadline, report=None, verified=False):
    task = Task(year=2026, period="2026-Q1", assigner_id=org["boss"].id, assignee_id=org[who].id, title=title,
                target=Fraction(2), deadline=deadline)
    db.session.add(task)
    if report:
        rep = ProductReport(task=task, actual_value=Fraction(2), product="x", delivered_on=report)
        db.session.add(rep)
        if verified:
            db.session.add(Verification(report=rep, verifier_id=org["boss"].id, accepted_value=Fraction(2),
                                        on_time=True, quality_met=True))
    return task


def test_overview_counts_and_bottlenecks(org, login):
    today = date(2026, 5, 1)
    sub = f.agency("D1", org["D"], kind="division")
    org["c"] = f.user("c", sub)
    _task(org, "a", "done", date(2026, 3, 31), report=date(2026, 3, 20), verified=True)
    _task(org, "a", "late, verified", date(2026, 3, 31), report=date(2026, 4, 5), verified=True)
    _task(org, "b", "waiting", date(2026, 3, 31), report=date(2026, 3, 30))
    _task(org, "c", "overdue", date(2026, 4, 15))
    _task(org, "c", "not due yet", date(2026, 6, 30))
    _task(org, "eve", "elsewhere overdue", date(2026, 2, 1))
    db.session.commit()
    rows = {r["agency"].code: r for r in queries.overview(org["boss"], 2026, today)}
    assert set(rows) == {"D", "D1"}                                   # the head of D sees D's subtree only
    assert {k: rows["D"][k] for k in ("people", "tasks", "verified", "awaiting", "overdue", "late")} == \
        {"people": 4, "tasks": 5, "verified": 2, "awaiting": 1, "overdue": 1, "late": 1}
    assert (rows["D1"]["tasks"], rows["D1"]["overdue"], rows["D1"]["depth"]) == (2, 1, 1)
    stuck = queries.bottlenecks(org["hr"], 2026, today)
    assert [t.title for t in stuck["overdue"]] == ["elsewhere overdue", "overdue"]   # oldest first, province-wide
    assert [r.task.title for r in stuck["waiting"]] == ["waiting"]
    page = login("boss").get("/tasks/overview?year=2026")
    assert page.status_code == 200 and 'data-agency="D1"' in page.get_data(as_text=True)
    assert login("a").get("/tasks/overview").status_code == 403


def _sheet(rows, header=task_sheets.COLUMNS) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD_ROWS = [
    [1, "a", "A", 2026, 1, "Tham mưu văn bản", "Văn bản ban hành", "văn bản", 4, 1, 1, "31/03/2026", "", ""],
    [2, "b", "", 2026, "Quý 2", "Quyết toán ngân sách", "Báo cáo quyết toán", "báo cáo", "2,5", "", "2",
     date(2026, 6, 30), "x", ""],
    [3, "a", "A", 2026, "IV", "", "", "", 3, "", "", "15/12/2026", "", "VB-01"],
]


def _upload(client, data):
    return client.post("/tasks/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), "nhiem-vu.xlsx")})


@pytest.fixture
def item(org):
    """VB-01: a standard product of the position "Chuyên viên" (a's, not b's), factor 3/2."""
    db.session.add(CatalogueItem(agency_id=org["D"].id, code="VB-01", position="Chuyên viên", title="Văn bản tham mưu",
                                 indicator="Văn bản", unit_of_measure="văn bản", factor=Fraction(3, 2)))
    db.session.commit()


def test_import_all_rows_valid(org, login, item):
    response = _upload(login("boss"), _sheet(GOOD_ROWS))
    assert response.status_code == 200 and response.get_data(as_text=True).count('class="ok"') == 3
    tasks = db.session.scalars(select(Task).order_by(Task.id)).all()
    assert [(t.assignee.username, t.period, t.target, t.factor, t.weight, t.deadline, t.kind.value) for t in tasks] == [
        ("a", "2026-Q1", 4, 1, 1, date(2026, 3, 31), "regular"),
        ("b", "2026-Q2", Fraction(5, 2), 1, 2, date(2026, 6, 30), "breakthrough"),
        ("a", "2026-Q4", 3, Fraction(3, 2), 1, date(2026, 12, 15), "regular")]
    assert tasks[2].title == "Văn bản tham mưu" and tasks[2].catalogue_item_id is not None


def test_one_bad_row_imports_nothing_and_every_row_is_reported(org, login, item):
    bad = GOOD_ROWS + [
        [4, "eve", "", 2026, 1, "Ngoài phạm vi", "x", "x", 1, "", "", "31/03/2026", "", ""],
        [5, "a", "Tên khác", 2026, 5, "Sai", "x", "x", "-1", "", "", "31/03/2025", "có lẽ", ""],
        [6, "b", "", 2026, 1, "Sai mã", "", "", 1, "", "", "31/03/2026", "", "VB-01"],
    ]
    response = _upload(login("boss"), _sheet(bad))
    html = response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Task.id))) == 0
    assert html.count('class="bad"') == 3 and html.count('class="ok"') == 3
    report = {r.row: r for r in task_sheets.import_tasks(_sheet(bad), org["boss"])[0]}
    db.session.rollback()
    assert [n for n, r in report.items() if not r.errors] == [2, 3, 4]       # header is row 1
    assert len(report[5].errors) == 1 and "eve" in report[5].errors[0]
    assert len(report[6].errors) == 5    # name, quarter, target ≤ 0, deadline outside the year, breakthrough mark
    assert "VB-01" in " ".join(report[7].errors)        # no such product (not in b's catalogue)


def test_file_level_errors(org, login):
    reports, problems, added = task_sheets.import_tasks(_sheet([], header=["STT", "Nhiệm vụ"]), org["boss"])
    assert (reports, added, len(problems)) == ([], [], 1)
    assert all(col in problems[0] for col in ("Tên đăng nhập", "Năm", "Quý", "Chỉ tiêu (số lượng)", "Hạn hoàn thành"))
    assert "Nhiệm vụ," not in problems[0]                   # the columns present are not listed
    reports, problems, added = task_sheets.import_tasks(b"PK\x03\x04 not really", org["boss"])
    assert (reports, added, len(problems)) == ([], [], 1)
    page = _upload(login("boss"), b"PK\x03\x04 not really").get_data(as_text=True)
    assert "alert-danger" in page and db.session.scalar(select(db.func.count(Task.id))) == 0


def test_export_then_import_round_trip(org, login):
    client = login("boss")
    _upload(client, _sheet(GOOD_ROWS[:2]))
    exported = client.get("/tasks/export.xlsx?year=2026")
    assert exported.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(exported.data)).active
    header = [c.value for c in sheet[1]]
    assert header[:len(task_sheets.COLUMNS)] == list(task_sheets.COLUMNS)
    before = [(t.assignee_id, t.period, t.title, t.target, t.weight, t.deadline, t.kind)
              for t in db.session.scalars(select(Task).order_by(Task.id))]
    _upload(client, exported.data)
    after = [(t.assignee_id, t.period, t.title, t.target, t.weight, t.deadline, t.kind)
             for t in db.session.scalars(select(Task).order_by(Task.id))]
    assert after == before + before
    template = client.get("/tasks/import/template.xlsx")
    assert [c.value for c in openpyxl.load_workbook(io.BytesIO(template.data)).active[1]] == list(task_sheets.COLUMNS)
