"""Telling a file's format from its name and first bytes.

The extension is trusted where it is specific (.gift, .csv, .xlsx); XML is told by its root
element (Moodle ``<quiz>``, QTI ``assessmentItem``/``assessmentTest``/``manifest``); a ZIP is
an XLSX workbook when it holds ``xl/workbook.xml``, else an IMS content package; ``.txt`` and
unknown names are sniffed for GIFT, Aiken or a CSV header.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import PurePosixPath

from flask_babel import lazy_gettext as _l

from .model import FormatError
from .sheet_layouts import match_header

FORMATS = ("gift", "moodle_xml", "aiken", "qti", "xlsx", "csv")
_XML_ROOT = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s/>]")
_GIFT_HINT = re.compile(r"^\s*(?:::|\$CATEGORY:)|\{\s*(?:[~=#]|T\b|F\b|TRUE\b|FALSE\b|\}|####)", re.M)
_AIKEN_ANSWER = re.compile(r"^\s*ANSWER\s*:\s*[A-Za-z]", re.M | re.I)
_AIKEN_OPTION = re.compile(r"^\s*[A-Z]\s*[.)]", re.M)


def detect_format(filename: str, data: bytes) -> str:
    """One of :data:`FORMATS`; raises :class:`FormatError` saying why when it cannot tell."""
    suffix = PurePosixPath((filename or "").replace("\\", "/").lower()).suffix
    if data[:4] == b"PK\x03\x04" or suffix in (".xlsx", ".zip", ".imscc"):
        return _zip_kind(filename, data, suffix)
    if suffix in (".xls", ".ods", ".doc", ".docx", ".pdf"):
        raise FormatError(_l("“%(file)s” is a %(ext)s file; save it as .xlsx, .csv, GIFT, Aiken or "
                             "Moodle XML first.", file=filename, ext=suffix))
    if suffix == ".gift":
        return "gift"
    if suffix == ".csv":
        return "csv"
    head = data[:4096].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if suffix == ".xml" or head.startswith("<"):
        return _xml_kind(filename, head)
    return _sniff_text(filename, data)


def _zip_kind(filename: str, data: bytes, suffix: str) -> str:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        if suffix == ".xlsx":
            return "xlsx"
        if suffix in (".zip", ".imscc"):
            return "qti"
        raise FormatError(_l("“%(file)s” looks like a ZIP archive but cannot be opened.", file=filename))
    if "xl/workbook.xml" in names:
        return "xlsx"
    if suffix in (".zip", ".imscc") or any(n.lower().endswith(".xml") for n in names):
        return "qti"
    raise FormatError(_l("“%(file)s” is a ZIP archive that is neither an XLSX workbook nor an IMS "
                         "QTI content package.", file=filename))


def _xml_kind(filename: str, head: str) -> str:
    body = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", head, flags=re.S)
    match = _XML_ROOT.search(body)
    root = match.group(1) if match else ""
    if root == "quiz":
        return "moodle_xml"
    if root in ("assessmentItem", "assessmentTest", "manifest", "questestinterop"):
        return "qti"
    raise FormatError(_l("“%(file)s” is XML with root element <%(root)s>; expected Moodle XML "
                         "(<quiz>) or IMS QTI 2.1 (<assessmentItem>).", file=filename, root=root or "?"))


def _sniff_text(filename: str, data: bytes) -> str:
    text = data[:200_000].decode("utf-8", errors="replace")
    if _GIFT_HINT.search(text):
        return "gift"
    if _AIKEN_ANSWER.search(text) and _AIKEN_OPTION.search(text):
        return "aiken"
    if _looks_like_csv(text):
        return "csv"
    raise FormatError(_l("Cannot tell the format of “%(file)s”. Supported: GIFT (.gift, .txt), Aiken "
                         "(.txt), Moodle XML (.xml), IMS QTI 2.1 (.xml, .zip), Excel (.xlsx) and CSV "
                         "(.csv).", file=filename))


def _looks_like_csv(text: str) -> bool:
    lines = text.lstrip("\ufeff").splitlines()
    first = lines[0] if lines else ""
    delimiter = max([",", ";", "\t"], key=first.count)
    try:
        cells = next(csv.reader([first], delimiter=delimiter), [])
    except csv.Error:
        return False
    return match_header(cells) is not None
