"""Import → export → import gives the same questions, for what each format can carry:
GIFT (GIFT-written banks), Moodle XML (every corpus file), XLSX/CSV (spreadsheet banks)."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from question_bank.formats import export_csv, export_gift, export_moodle_xml, export_xlsx, parse

DATA = Path(__file__).parent / "data"
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "public"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(),
                                  reason="shared corpus not present (../shared/corpus); it runs in CI")


def comparable(questions):
    return [{k: v for k, v in dataclasses.asdict(q).items() if k not in ("line", "source")}
            for q in questions]


def round_trip(data: bytes, name: str, export, fmt: str, out_name: str):
    first = parse(data, name)
    written = export(first.questions)
    second = parse(written.encode("utf-8") if isinstance(written, str) else written, out_name, fmt)
    assert not second.errors, second.report()
    return first, second


@pytest.mark.parametrize("export, fmt, out", [(export_gift, "gift", "x.gift"),
                                              (export_moodle_xml, "moodle_xml", "x.xml")])
def test_all_gift_types_round_trip(export, fmt, out):
    first, second = round_trip((DATA / "all_types.gift").read_bytes(), "all_types.gift", export, fmt, out)
    assert len(first.questions) == 9
    assert comparable(second.questions) == comparable(first.questions)


def _corpus(folder: str):
    return sorted(CORPUS.glob(f"{folder}/*")) if CORPUS.is_dir() else []


@needs_corpus
@pytest.mark.parametrize("path", _corpus("gift"), ids=lambda p: p.name)
def test_gift_corpus_round_trips_through_gift(path):
    first, second = round_trip(path.read_bytes(), path.name, export_gift, "gift", "x.gift")
    assert comparable(second.questions) == comparable(first.questions)


@needs_corpus
@pytest.mark.parametrize("path", [p for p in _corpus("*") if p.is_file() and p.suffix != ".md"],
                         ids=lambda p: p.name)
def test_every_corpus_file_round_trips_through_moodle_xml(path):
    first, second = round_trip(path.read_bytes(), path.name, export_moodle_xml, "moodle_xml", "x.xml")
    assert comparable(second.questions) == comparable(first.questions)


@needs_corpus
@pytest.mark.parametrize("export, fmt, out", [(export_xlsx, "xlsx", "x.xlsx"), (export_csv, "csv", "x.csv")])
@pytest.mark.parametrize("name", ["luat-dau-thau_390-cau-hoi.xlsx", "luat-dau-thau_50-cau-bo-sung.xlsx"])
def test_bidding_law_banks_round_trip_through_spreadsheets(name, export, fmt, out):
    first, second = round_trip((CORPUS / "csv" / name).read_bytes(), name, export, fmt, out)
    assert comparable(second.questions) == comparable(first.questions)


def test_moodle_xml_keeps_categories_records_and_files():
    xml = """<?xml version="1.0"?><quiz>
<question type="category"><category><text>$course$/top/Cha/Con</text></category>
<info format="html"><text>Mô tả</text></info><idnumber>C-1</idnumber></question>
<question type="ordering"><name><text>Sắp xếp</text></name>
<questiontext format="html"><text><![CDATA[<p>Xếp <img src="@@PLUGINFILE@@/a%20b.png"></p>]]></text>
<file name="a b.png" path="/" encoding="base64">iVBORw0KGgo=</file></questiontext>
<answer fraction="2"><text>Hai</text></answer><answer fraction="1"><text>Một</text></answer></question>
<question type="cloze"><name><text>Điền</text></name><questiontext><text>
Thủ đô {1:SA:=Hà Nội#Đúng~%50%Ha Noi} có {2:NM:=1000:10} năm và {1:MCS:=a~b}
</text></questiontext></question></quiz>""".encode()
    first = parse(xml, "a.xml")
    assert not first.errors and not first.warnings
    order, cloze = first.questions
    assert [i["text"] for i in order.payload["items"]] == ["Một", "Hai"]
    assert order.files == {"a b.png": b"\x89PNG\r\n\x1a\n"}
    assert [p["qtype"] for p in cloze.payload["parts"]] == ["shortanswer", "numerical", "multichoice"]
    second = parse(export_moodle_xml(first.questions, first.categories), "b.xml")
    assert comparable(second.questions) == comparable(first.questions)
    assert second.categories[0].idnumber == "C-1" and second.categories[0].info == "Mô tả"
