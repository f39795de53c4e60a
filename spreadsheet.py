"""Safe XLSX writing: every text is a string cell, never a formula (DECISIONS.md 22)."""
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter


DATE_FORMAT, DATETIME_FORMAT = "dd/mm/yyyy", "dd/mm/yyyy hh:mm"  # DECISIONS 23


def _local(value: datetime) -> datetime:
    """An aware time in the platform's zone, without tzinfo (Excel has no time zones)."""
    if value.tzinfo is None:
        return value
    from flask import current_app, has_app_context

    zone = current_app.config.get("TIMEZONE", "Asia/Ho_Chi_Minh") if has_app_context() else "Asia/Ho_Chi_Minh"
    return value.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def write_cell(ws, row: int, col: int, value):
    """One cell: text as a string cell, dates and times as date cells shown dd/mm/yyyy (hh:mm)."""
    if isinstance(value, datetime):
        value = _local(value)
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # a leading "=" stays text, not a formula
    elif isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    return cell


def workbook_bytes(title: str, header: list[str], rows: list[list], widths: list[int] | None = None) -> bytes:
    """A one-sheet workbook with a bold, frozen header row."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    for col, text in enumerate(header, start=1):
        cell = write_cell(ws, 1, col, str(text))
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F3A68")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            write_cell(ws, r, col, value).alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
