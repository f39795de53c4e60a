"""XLSX/CSV export in the Vietnamese agency layout, and the downloadable template.

Columns (header row in Vietnamese): STT | Hạng mục | Tên câu hỏi | Nội dung | Phương án trả lời
| Đáp án | Điểm | Mức độ | Căn cứ pháp lý | Giải thích | Thẻ | Mã câu hỏi | Giữ thứ tự phương án —
the bidding-law banks' five columns plus the optional ones :mod:`.sheet_layouts` reads back.
Only multiple-choice questions fit the layout; the others are listed on a "Không xuất được"
sheet.  DECISIONS.md 22: XLSX cells are written as text (a leading ``=`` stays text), CSV
cells starting with ``= + - @`` get a ``'`` the importer removes.
"""
from __future__ import annotations

import csv
import html as html_lib
import io
import re
from fractions import Fraction

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .sheet_layouts import CATEGORY_SEPARATOR

HEADERS = ["STT", "Hạng mục", "Tên câu hỏi", "Nội dung", "Phương án trả lời", "Đáp án", "Điểm",
           "Mức độ", "Căn cứ pháp lý", "Giải thích", "Thẻ", "Mã câu hỏi", "Giữ thứ tự phương án"]
_WIDTHS = [6, 28, 30, 60, 70, 10, 8, 14, 24, 40, 20, 16, 12]
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BREAK = re.compile(r"<br\s*/?>", re.I)
_BLOCK_END = re.compile(r"</(p|div|li|h[1-6])>", re.I)
_TAG = re.compile(r"<[^>]+>")
HELP = [
    ("STT", "Số thứ tự (không bắt buộc)."),
    ("Hạng mục", "Chuyên mục của câu hỏi; cấp con viết “Cha > Con”. Ô trống: dùng hạng mục của dòng trên."),
    ("Tên câu hỏi", "Không bắt buộc; mặc định là đầu nội dung câu hỏi."),
    ("Nội dung", "Bắt buộc: nội dung câu hỏi."),
    ("Phương án trả lời", "Bắt buộc: mỗi phương án một dòng trong ô (Alt+Enter), bắt đầu bằng “A. ”, “B. ”…"),
    ("Đáp án", "Bắt buộc: chữ cái của phương án đúng, ví dụ “B”; nhiều đáp án: “A, C”."),
    ("Điểm", "Không bắt buộc; mặc định 1."),
    ("Mức độ", "Không bắt buộc, ví dụ: Nhận biết, Thông hiểu, Vận dụng."),
    ("Căn cứ pháp lý", "Không bắt buộc, ví dụ: Điều 4 Luật Đấu thầu 2023."),
    ("Giải thích", "Không bắt buộc: phản hồi chung sau khi trả lời."),
    ("Thẻ", "Không bắt buộc: các thẻ, cách nhau bằng dấu phẩy."),
    ("Mã câu hỏi", "Không bắt buộc: mã riêng, không trùng trong ngân hàng."),
    ("Giữ thứ tự phương án", "Ghi “x” để không đảo phương án (tự động khi có phương án kiểu "
                             "“Tất cả các phương án trên”)."),
]


def cell_text(html: str) -> str:
    """HTML as the plain text of a cell: line breaks kept, tags dropped, entities decoded."""
    text = _BLOCK_END.sub("\n", _BREAK.sub("\n", html or ""))
    return _ILLEGAL.sub("", html_lib.unescape(_TAG.sub("", text))).strip()


def rows(questions) -> tuple[list[list[str]], list]:
    """(data rows, questions left out) for the layout."""
    data, skipped = [], []
    for q in questions:
        if q.qtype != "multichoice":
            skipped.append(q)
            continue
        data.append(_row(len(data) + 1, q))
    return data, skipped


def _row(number: int, q) -> list[str]:
    answers = q.payload["answers"]
    options = "\n".join(f"{chr(65 + i)}. {cell_text(a['text'])}" for i, a in enumerate(answers))
    key = ", ".join(chr(65 + i) for i, a in enumerate(answers) if Fraction(a["fraction"]) > 0)
    return [str(number), CATEGORY_SEPARATOR.join(q.category), q.name, cell_text(q.text), options, key,
            q.default_mark, q.difficulty or "", q.legal_reference or "", cell_text(q.general_feedback),
            ", ".join(q.tags), q.idnumber or "", "" if q.payload["shuffle_answers"] else "x"]


def export_xlsx(questions) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Câu hỏi"
    data, skipped = rows(questions)
    _fill(sheet, [HEADERS, *data])
    if skipped:
        _fill(workbook.create_sheet("Không xuất được"),
              [["Tên câu hỏi", "Loại"], *[[q.name, q.qtype] for q in skipped]])
    return _save(workbook)


def _fill(sheet, table) -> None:
    for r, values in enumerate(table, start=1):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = _ILLEGAL.sub("", value)
            cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for c, width in enumerate(_WIDTHS[:len(table[0])], start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=c).column_letter].width = width
        sheet.cell(row=1, column=c).font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_csv(questions) -> str:
    """The same layout as CSV text (write it as UTF-8 with a BOM for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    data, _ = rows(questions)
    for values in [HEADERS, *data]:
        writer.writerow(["'" + v if v[:1] in ("=", "+", "-", "@") else v for v in values])
    return buffer.getvalue()


def template_xlsx() -> bytes:
    """An empty question sheet with the Vietnamese header row, and a sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Câu hỏi"
    _fill(sheet, [HEADERS])
    guide = workbook.create_sheet("Hướng dẫn")
    example = ["1", "Luật Đấu thầu > Mua sắm hàng hóa", "", "Nội dung câu hỏi mẫu?",
               "A. Phương án thứ nhất\nB. Phương án thứ hai\nC. Tất cả các phương án trên", "A",
               "1", "Nhận biết", "", "", "", "", ""]
    _fill(guide, [["Cột", "Cách ghi"], *[list(h) for h in HELP], ["", ""], ["Ví dụ một dòng:", ""],
                  *[[h, v] for h, v in zip(HEADERS, example)]])
    return _save(workbook)
