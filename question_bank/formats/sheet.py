"""Spreadsheet and CSV question lists (XLSX and CSV).

Layouts, told apart by their header row (searched in the first 10 rows of each sheet):

* **Vietnamese agency layout** (the bidding-law banks, and our downloadable template):
  ``STT | Hạng mục | Nội dung | Phương án trả lời | Đáp án`` — all choices in one cell, one
  per line as ``A. …`` (a line without a letter continues the choice above), the key as a
  letter (``B``) or letters (``A, C``).  Optional template columns: ``Tên câu hỏi``, ``Điểm``,
  ``Mức độ``, ``Căn cứ pháp lý``, ``Giải thích``, ``Thẻ``, ``Mã câu hỏi``,
  ``Giữ thứ tự phương án``.  An empty ``Hạng mục`` repeats the one above (merged cells).
* **Moodle qformat_csv** (github.com/hunterhqm/Question-CSV-format): the multichoice, essay,
  shortanswer and truefalse headers, choices split by ``;``, key letters (``ACD``).
* **Kahoot** (kahoot.com spreadsheet template): ``Question, Answer 1–4, Time, Correct``, the
  key a 1-based answer number.

Every row is checked on its own and every bad row is reported by row and column.  CSV:
UTF-8 (BOM removed), Windows-1258/1252 detected and reported, ``,`` ``;`` or tab separated;
a ``'`` put before ``= + - @`` by our CSV export (DECISIONS.md 22) is removed.
"""
from __future__ import annotations

import csv
import io
import re

from flask_babel import lazy_gettext as _l
from openpyxl.utils import get_column_letter

from . import sheet_layouts
from .model import Issues
from .text import decode, nfc, repair_mojibake
from .zipsafe import UnsafeZip, open_zip

_HEADER_SEARCH_ROWS = 10
_FORMULA_PREFIX = re.compile(r"^'(?=[=+\-@])")


def parse_xlsx(data: bytes, issues: Issues) -> list:
    """Questions from every sheet of an XLSX workbook whose header row is a known layout."""
    workbook = _open_workbook(data, issues)
    if workbook is None:
        return []
    questions, matched = [], 0
    for sheet in workbook.worksheets:
        rows = _sheet_rows(sheet, issues)
        if rows is None:
            return []
        found = _read_table(rows, issues)
        matched += found is not None
        questions += found or []
    if not matched:
        issues.error(None, _l("No sheet has a known header row. Expected, for example: STT | "
                              "Hạng mục | Nội dung | Phương án trả lời | Đáp án (download the template)."))
    return questions


def _sheet_rows(sheet, issues: Issues):
    """(row number, cell texts) of a sheet; None (reported) when the sheet XML is damaged."""
    try:
        return [(n, [_cell(v, issues, n, i) for i, v in enumerate(row)])
                for n, row in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)]
    except Exception as exc:  # openpyxl streams the sheet XML and raises many kinds when damaged
        issues.error(None, _l("The sheet “%(sheet)s” cannot be read (%(error)s). Save the workbook "
                              "again from Excel as .xlsx.", sheet=sheet.title, error=type(exc).__name__))
        return None


def _open_workbook(data: bytes, issues: Issues):
    from openpyxl import load_workbook

    try:
        open_zip(data)
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except UnsafeZip as exc:
        issues.error(None, exc.message)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        issues.error(None, _l("The workbook cannot be read (%(error)s). Save it again from Excel "
                              "as .xlsx.", error=type(exc).__name__))
    return None


def parse_csv(data: bytes, issues: Issues) -> list:
    """Questions from a CSV file in one of the layouts above."""
    text = decode(data, issues)
    if not text.strip():
        issues.error(None, _l("The file is empty."))
        return []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        rows = [(n, [_csv_cell(c) for c in row]) for n, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        issues.error(reader.line_num, _l("The CSV cannot be read here (%(error)s).", error=exc))
        return []
    found = _read_table(rows, issues)
    if found is None:
        issues.error(1, _l("The header row is not a known layout. Expected, for example: STT, "
                           "Hạng mục, Nội dung, Phương án trả lời, Đáp án."))
    return found or []


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return max([",", ";", "\t"], key=first.count)


def _csv_cell(value: str) -> str:
    return _FORMULA_PREFIX.sub("", nfc(value.strip()))


def _cell(value, issues: Issues, row: int, index: int) -> str:
    """A cell as text: numbers without a spurious '.0', line ends normalised, NFC, repaired."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = nfc(str(value).replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n").strip())
    fixed = repair_mojibake(text)
    if fixed != text:
        issues.warn(row, _l("The text was mis-encoded (UTF-8 read as Windows-1252/1258) and was "
                            "repaired: “%(before)s” → “%(after)s”.", before=text[:40], after=fixed[:40]),
                    column=get_column_letter(index + 1))
    return fixed


def _read_table(rows, issues: Issues):
    """Find the header row, then read every data row below it; None if no header matched."""
    for position, (number, cells) in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        layout = sheet_layouts.match_header(cells)
        if layout is not None:
            return layout.read(rows[position + 1:], issues)
    return None
