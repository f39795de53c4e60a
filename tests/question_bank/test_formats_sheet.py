"""XLSX and CSV in the Vietnamese agency layout (and the Moodle/Kahoot CSV layouts)."""
from __future__ import annotations

import dataclasses
import io

from openpyxl import Workbook, load_workbook

from question_bank.formats import export_csv, export_xlsx, parse, template_xlsx
from question_bank.formats.sheet_export import HEADERS

VN_HEADER = ["STT", "Hạng mục", "Nội dung", "Phương án trả lời", "Đáp án"]


def workbook(*rows, header=VN_HEADER) -> bytes:
    book = Workbook()
    for row in [header, *rows]:
        book.active.append(row)
    for cells in book.active.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, even when it starts with "="
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def comparable(questions):
    return [{k: v for k, v in dataclasses.asdict(q).items() if k not in ("line", "source")} for q in questions]


def test_template_has_the_vietnamese_header_and_imports_empty():
    data = template_xlsx()
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    result = parse(data, "mau.xlsx")
    assert not result.errors and not result.questions
    assert "no questions" in str(result.warnings[0].message)


def test_every_bad_row_is_reported_by_row_and_column():
    data = workbook(
        [1, "Hợp đồng", "Câu đúng?", "A. Một\nB. Hai", "B"],
        [2, "", "", "A. Một\nB. Hai", "A"],
        [3, "", "Đáp án ngoài phạm vi?", "A. Một\nB. Hai\nC. Ba\nD. Bốn", "E"],
        [4, "", "Không có chữ cái?", "Một\nHai", "A"],
        [5, "", "Đáp án lạ?", "A. Một\nB. Hai", "Đúng"],
        [6, "", "Thứ tự sai?", "A. Một\nC. Hai", "A"],
        [7, "Khác", "Nhiều đáp án?", "A. Một\nB. Hai\nC. Ba", "A, C"])
    result = parse(data, "ngan-hang.xlsx")
    assert [(q.line, q.category) for q in result.questions] == [(2, ("Hợp đồng",)), (8, ("Khác",))]
    assert [(e.line, e.column) for e in result.errors] == [(3, "C"), (4, "E"), (5, "D"), (6, "E"), (7, "D")]
    assert result.report()[0].startswith("ngan-hang.xlsx, row 3, column C")
    multi = result.questions[1].payload
    assert multi["single"] is False and [a["fraction"] for a in multi["answers"]] == ["0.5", "-1", "0.5"]


def test_empty_category_repeats_the_one_above():
    result = parse(workbook([1, "Gộp ô", "Câu 1?", "A. x\nB. y", "A"], [2, None, "Câu 2?", "A. x\nB. y", "B"]),
                   "a.xlsx")
    assert [q.category for q in result.questions] == [("Gộp ô",), ("Gộp ô",)]


def test_xlsx_round_trip_keeps_text_that_looks_like_a_formula():
    source = parse(workbook([1, "A > B", "=1+1 bằng mấy?", "A. =2\nB. -3\nC. Tất cả các phương án trên", "A"]),
                   "f.xlsx")
    exported = export_xlsx(source.questions)
    cell = load_workbook(io.BytesIO(exported)).worksheets[0]["D2"]
    assert cell.data_type == "s" and cell.value == "=1+1 bằng mấy?"
    again = parse(exported, "f.xlsx")
    assert comparable(again.questions) == comparable(source.questions)
    assert again.questions[0].category == ("A", "B") and not again.questions[0].payload["shuffle_answers"]


def test_csv_export_prefixes_formula_characters_and_import_strips_them():
    source = parse(workbook([1, "", "+84 là mã nước nào?", "A. Việt Nam\nB. Lào", "A"]), "f.xlsx")
    text = export_csv(source.questions)
    assert "'+84 là mã nước nào?" in text
    again = parse(text.encode("utf-8-sig"), "f.csv")
    assert comparable(again.questions) == comparable(source.questions)


def test_windows_1258_csv_is_detected_and_reported():
    # "Đấu thầu" as Windows-1258 writes it: base letters and combining tone marks.
    line = "STT,Hạng mục,Nội dung,Phương án trả lời,Đáp án\r\n1,x,\"Đ\u00e2\u0301u th\u00e2\u0300u?\",\"A. Có\nB. Không\",A\r\n"
    data = line.replace("Hạng mục", "H\u0323ang mu\u0323c").replace("Nội", "N\u00f4\u0323i").replace(
        "Phương án trả lời", "Ph\u01b0\u01a1ng a\u0301n tra\u0309 l\u01a1\u0300i").replace(
        "Đáp án", "Đa\u0301p a\u0301n").replace("Có", "Co\u0301").replace("Không", "Kh\u00f4ng").encode("cp1258")
    result = parse(data, "cp1258.csv")
    assert result.questions[0].text == "Đấu thầu?"
    assert result.questions[0].payload["answers"][0]["text"] == "Có"
    messages = " ".join(str(w.message) for w in result.warnings)
    assert "Windows-1258" in messages and "CRLF" in messages


def test_windows_1252_csv_is_detected():
    data = "question,answer1,answer2,correct\r\nÉvaluer?,Oui,Non,1\r\n".encode("cp1252")
    result = parse(data, "fr.csv")
    assert result.questions[0].text == "Évaluer?"
    assert any("Windows-1252" in str(w.message) for w in result.warnings)


def _mojibake(text: str) -> str:
    """UTF-8 bytes read as Windows-1252, undefined bytes kept as C1 controls (as Excel does)."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in text.encode())


def test_utf8_read_as_windows_1252_is_repaired_and_reported():
    data = workbook([1, _mojibake("Luật Đấu thầu"), "Câu?", "A. x\nB. y", "A"])
    result = parse(data, "m.xlsx")
    assert result.questions[0].category == ("Luật Đấu thầu",)
    warning = next(w for w in result.warnings if "mis-encoded" in str(w.message))
    assert (warning.line, warning.column) == (2, "B")


def test_moodle_csv_single_with_two_keys_is_refused():
    data = ("multichoicename,questiontext,choices,answer,generalfeedback,defaultmark,qtype\n"
            "a,Q?,x;y;z,AB,,1,single\nb,Q2?,x;y;z,B,,2,single\n").encode()
    result = parse(data, "m.csv")
    assert [q.name for q in result.questions] == ["b"] and result.questions[0].default_mark == "2"
    assert (result.errors[0].line, result.errors[0].column) == (2, "D")


def test_kahoot_key_must_name_a_filled_answer():
    data = ",Question,Answer1,Answer2,Answer3,Answer4,Time,Correct\n1,Q?,a,b,,,20,3\n2,R?,a,b,,,20,2\n".encode()
    result = parse(data, "k.csv")
    assert len(result.questions) == 1 and result.errors[0].line == 2 and result.errors[0].column == "H"


def test_other_types_are_listed_not_lost_silently():
    gift = parse(b"::tf::Dung?{T}\n\n::mc::Chon{=a ~b}", "x.gift")
    book = load_workbook(io.BytesIO(export_xlsx(gift.questions)))
    assert book.sheetnames == ["Câu hỏi", "Không xuất được"]
    assert [c.value for c in book["Không xuất được"][2]] == ["tf", "truefalse"]
