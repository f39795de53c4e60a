"""Question-bank import and export formats: GIFT, Moodle XML, Aiken, IMS QTI 2.1, XLSX, CSV.

A pure package (no database, no models): bytes in, :class:`ParseResult` out, and back.
``parse`` never raises for bad content — every problem is an :class:`ImportIssue` naming the
line (or sheet row and column) — and raises :class:`FormatError` only when the format cannot
be told or is unknown.  Payload shapes: docs/question-payload.md.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .detect import FORMATS, detect_format
from .model import CategoryInfo, FormatError, ImportIssue, Issues, ParsedQuestion, ParseResult

MAX_FILE_BYTES = 50 * 1024 * 1024

__all__ = ["CategoryInfo", "FORMATS", "FormatError", "ImportIssue", "ParseResult", "ParsedQuestion",
           "detect_format", "parse", "export_gift", "export_moodle_xml", "export_xlsx", "export_csv",
           "template_xlsx"]


def _parsers() -> dict:
    from . import aiken, gift, moodle_xml, qti, sheet

    return {"gift": gift.parse_gift, "moodle_xml": moodle_xml.parse_moodle_xml,
            "aiken": aiken.parse_aiken, "qti": qti.parse_qti,
            "xlsx": sheet.parse_xlsx, "csv": sheet.parse_csv}


def parse(data: bytes, filename: str, fmt: str | None = None, *, strict: bool = False) -> ParseResult:
    """Read a question file.  ``fmt`` is one of :data:`FORMATS` (detected when None);
    ``strict`` selects the strict reading of the Aiken answer line."""
    fmt = fmt or detect_format(filename, data)
    parser = _parsers().get(fmt)
    if parser is None:
        raise FormatError(_l("Unknown format “%(fmt)s”; use one of %(formats)s.",
                             fmt=fmt, formats=", ".join(FORMATS)))
    issues = Issues(strict=strict)
    if len(data) > MAX_FILE_BYTES:
        issues.error(None, _l("The file is %(mb)s MB; the limit is %(max)s MB.",
                              mb=len(data) // 2**20, max=MAX_FILE_BYTES // 2**20))
        return issues.result(filename, fmt, [])
    questions = _run(parser, data, issues)
    if not questions and not issues.errors:
        issues.warn(None, _l("The file holds no questions."))
    return issues.result(filename, fmt, questions)


def _run(parser, data: bytes, issues: Issues) -> list:
    """Run one parser; a bug in it becomes a reported error instead of a crashed request."""
    try:
        return parser(data, issues)
    except RecursionError:
        issues.error(None, _l("The file is nested too deeply to read."))
    except Exception as exc:  # noqa: BLE001 — the report must say something, never crash
        issues.error(None, _l("Internal error while reading the file (%(error)s); please report it.",
                              error=f"{type(exc).__name__}: {exc}"))
    return []


def export_gift(questions) -> str:
    from .gift_export import export_gift as run

    return run(questions)


def export_moodle_xml(questions, categories=None) -> bytes:
    from .moodle_xml_export import export_moodle_xml as run

    return run(questions, categories)


def export_xlsx(questions) -> bytes:
    from .sheet_export import export_xlsx as run

    return run(questions)


def export_csv(questions) -> str:
    from .sheet_export import export_csv as run

    return run(questions)


def template_xlsx() -> bytes:
    from .sheet_export import template_xlsx as run

    return run()
