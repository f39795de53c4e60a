"""The package's contract: format detection, reports that name file and line, and parsers that
never raise on any bytes (a bounded Hypothesis run, DECISIONS.md 20)."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_bank.formats import (FORMATS, FormatError, ParseResult, detect_format, export_moodle_xml,
                                   parse, template_xlsx)
from question_bank.formats.questions import refers_to_other_options

DATA = Path(__file__).parent / "data"
GIFT = (DATA / "all_types.gift").read_bytes()
AIKEN = "Câu hỏi?\nA) Một\nB. Hai\nANSWER: B\n".encode()
CSV = "STT,Hạng mục,Nội dung,Phương án trả lời,Đáp án\n1,X,Câu?,\"A. a\nB. b\",A\n".encode()
QTI = b"""<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="i" title="t">
<responseDeclaration identifier="R" cardinality="single" baseType="string"><correctResponse>
<value>x</value></correctResponse></responseDeclaration><itemBody><p>Q <textEntryInteraction
responseIdentifier="R"/></p></itemBody></assessmentItem>"""
SEEDS = {"gift": GIFT, "aiken": AIKEN, "csv": CSV, "qti": QTI,
         "moodle_xml": export_moodle_xml(parse(GIFT, "a.gift").questions), "xlsx": template_xlsx()}


@pytest.mark.parametrize("name, data, expected", [
    ("a.gift", b"", "gift"), ("a.txt", GIFT, "gift"), ("a.txt", AIKEN, "aiken"), ("a.csv", b"x", "csv"),
    ("bank", CSV, "csv"), ("a.xml", SEEDS["moodle_xml"], "moodle_xml"), ("item.xml", QTI, "qti"),
    ("t.xlsx", SEEDS["xlsx"], "xlsx"), ("p.zip", b"PK\x03\x04junk", "qti")])
def test_detect_format(name, data, expected):
    assert detect_format(name, data) == expected


@pytest.mark.parametrize("name, data", [("a.pdf", b"%PDF"), ("a.txt", b"just words"),
                                        ("a.xml", b"<html/>"), ("old.xls", b"\xd0\xcf")])
def test_unknown_format_is_a_clear_format_error(name, data):
    with pytest.raises(FormatError, match=name.replace(".", r"\.")):
        detect_format(name, data)


def test_unknown_format_name_is_refused():
    with pytest.raises(FormatError, match="docx"):
        parse(b"x", "a.docx", "docx")


def test_report_lines_name_the_file_and_the_line():
    result = parse(b"Q1 {=a ~b}\n\nQ2 {=a", "de-thi.gift")
    assert result.report() == ["de-thi.gift, line 3 «Q2»: A brace is missing: the answers must be "
                               "inside { … } (write \\{ or \\} for a brace in the text)."]


@pytest.mark.parametrize("text, refers", [
    ("Tất cả các phương án trên", True), ("D. Cả A và B đều đúng", True),
    ("Phương án A và C đều đúng", True), ("Không có phương án nào đúng", True),
    ("All of the above", True), ("None of the above", True), ("Both A and B", True),
    ("Các đáp án trên đều sai", True), ("Cả 3 phương án đều sai", True),
    ("Nhà thầu A và B đều đáp ứng", False), ("Tất cả thành viên liên danh", False),
    ("Công khai phương án bồi thường", False), ("Kết hợp cả hai phương pháp", False),
    ("Các câu lạc bộ thể thao", False), ("Các câu trên đều đúng", True)])
def test_choices_referring_to_other_choices(text, refers):
    assert refers_to_other_options(text) is refers


def mutations(seed: bytes):
    """Bytes near a valid file: flips, cuts, insertions and duplications of ``seed``."""
    def mutate(edits):
        data = bytearray(seed)
        for position, kind, value in edits:
            at = position % (len(data) + 1)
            if kind == 0 and data:
                data[at % len(data)] = value
            elif kind == 1:
                del data[at:at + value % 16]
            elif kind == 2:
                data[at:at] = bytes([value]) * (value % 8 + 1)
            else:
                data[at:at] = data[max(0, at - 32):at]
        return bytes(data)
    return st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 3), st.integers(0, 255)),
                    max_size=8).map(mutate)


def check(result) -> None:
    assert isinstance(result, ParseResult)
    assert not [e for e in result.errors if "Internal error" in str(e.message)], result.report()


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_bytes_give_a_parse_result(fmt, data):
    payload = data.draw(st.one_of(st.binary(max_size=400), mutations(SEEDS[fmt])))
    check(parse(payload, f"fuzz.{fmt}", fmt))


@settings(max_examples=50, deadline=None)
@given(payload=st.binary(max_size=300), name=st.sampled_from(["a.txt", "a", "a.xml", "a.zip", "a.gift"]))
def test_detection_raises_only_format_error(payload, name):
    try:
        fmt = detect_format(name, payload)
    except FormatError:
        return
    check(parse(payload, name, fmt))
