"""Formula injection: a value starting with ``= + - @`` never becomes a formula in an export
(DECISIONS.md 22: XLSX text cells are strings; CSV cells get a ``'`` the importer removes)."""
import csv
import io
import re
import zipfile
from datetime import date
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from question_bank.formats import export_csv, export_xlsx, parse
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ["=1+1", "=HYPERLINK(\"https://evil.example\",\"Bấm vào đây\")", "+cmd|' /C calc'!A0", "-2+3*cmd|x",
           "@SUM(A1:A9)", "=DDE(\"cmd\";\"/C calc\";\"!A0\")", "\t=1+1", "\r=1+1", "＝1+1"]


def formulas_in(data: bytes) -> list[str]:
    """Every ``<f>`` (formula) element in any sheet of an XLSX file."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                found += re.findall(r"<f>(.*?)</f>|<f [^>]*>", archive.read(name).decode())
    return found


def text_cells(data: bytes) -> dict[str, str]:
    """Every string cell's value → its openpyxl data type."""
    workbook = load_workbook(io.BytesIO(data))
    return {c.value: c.data_type for ws in workbook for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def assert_inert(data: bytes, values=HOSTILE):
    assert formulas_in(data) == []
    cells = text_cells(data)
    for value in values:
        hits = [v for v in cells if value.strip() in v]
        assert hits, value
        assert all(cells[v] == "s" for v in hits), value


def test_the_shared_workbook_writer(app):
    from spreadsheet import workbook_bytes

    data = workbook_bytes("Sheet", ["=A", "B"], [[v, 1] for v in HOSTILE])
    assert_inert(data, HOSTILE + ["=A"])


def test_the_classification_list(app):
    from classification.export import classification_xlsx

    rows = [SimpleNamespace(user=SimpleNamespace(full_name=v, agency=SimpleNamespace(name="@unit"), position="-pos",
                                                 staff_category=SimpleNamespace(value="civil_servant")),
                            profile="nd335", score=Fraction(181, 2), level_before_quota="GOOD", level="GOOD",
                            needs_council=False, reasons=[{"vi": "+lý do", "en": "+lý do"}]) for v in HOSTILE]
    assert_inert(classification_xlsx(rows, 2026), HOSTILE + ["@unit", "-pos", "+lý do"])


def test_the_reports_results_table(app):
    from reports.export import results_xlsx

    rows = [SimpleNamespace(full_name=v, agency_id=1, position="=pos", score=Fraction(3), max_score=Fraction(4),
                            percent=75.0, counted=True, passed=True, finished=True, needs_grading=0)
            for v in HOSTILE]
    try:
        data = results_xlsx(rows, {1: "+Agency"})
    except (AttributeError, TypeError, KeyError) as exc:  # the row shape belongs to reports/
        pytest.skip(f"reports.export row shape changed: {exc}")
    assert_inert(data, HOSTILE + ["=pos", "+Agency"])


def test_the_task_list(app):
    from performance.task_sheets import export_bytes

    tasks = [SimpleNamespace(assignee=SimpleNamespace(username="u", full_name=v), year=2026, period="2026-Q1",
                             title="=title", indicator="@indicator", unit_of_measure="-unit", target=Fraction(4),
                             factor=Fraction(1), weight=Fraction(1), deadline=date(2026, 3, 1), kind=None,
                             catalogue_item_id=None, catalogue_item=None, latest_report=None) for v in HOSTILE]
    assert_inert(export_bytes(tasks), HOSTILE + ["=title", "@indicator", "-unit"])


def test_personal_data_download(app):
    from accounts.personal_data import as_xlsx

    data = {"person": {"full_name": HOSTILE[1], "position": "+x"}, "tables": {"task": [{"title": v} for v in HOSTILE]},
            "actions": {}, "audit": [{"reason": "=reason"}]}
    assert_inert(as_xlsx(data), HOSTILE + ["+x", "=reason"])


def _question(text, name="=name"):
    q = factories.mc("q")
    q.name, q.text = name, f"<p>{text}</p>"
    q.payload["answers"][0]["text"] = "=SUM(1)"
    q.legal_reference, q.tags = "@Điều 4", ("-tag",)
    return q


def test_the_question_bank_xlsx_export(app):
    data = export_xlsx([_question(v) for v in HOSTILE[:5]])
    assert formulas_in(data) == []
    cells = text_cells(data)
    assert {"=name", "@Điều 4", "-tag"} <= set(cells) and all(t == "s" for t in cells.values())


def test_the_question_bank_csv_export_prefixes_and_round_trips(app):
    questions = [_question(v) for v in ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]]
    text = export_csv(questions)
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert dangerous == []
    assert "'=1+1" in cells and "'=name" in cells and "'@Điều 4" in cells
    back = parse(("\ufeff" + text).encode("utf-8"), "bank.csv")
    assert [q.text for q in back.questions] == ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]
    assert back.questions[0].name == "=name" and back.questions[0].legal_reference == "@Điều 4"


def test_every_workbook_in_the_code_is_written_safely():
    """A guard for exports added later: a module that builds a workbook itself must force
    string cells (``data_type = "s"``) or go through ``spreadsheet``; a CSV writer must prefix."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        if any(part in (".venv", "tests", "migrations", "bench") for part in path.relative_to(ROOT).parts):
            continue
        source = path.read_text(encoding="utf-8")
        if "Workbook(" in source and 'data_type = "s"' not in source and "write_cell" not in source:
            offenders.append(f"{path.relative_to(ROOT)}: Workbook() without string cells")
        if "csv.writer" in source and "\"'\" +" not in source:
            offenders.append(f"{path.relative_to(ROOT)}: csv.writer without the ' prefix")
    assert offenders == []
