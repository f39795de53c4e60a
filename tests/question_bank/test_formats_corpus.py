"""Every file of the public corpus (../shared/corpus/public, SOURCES.md) imports with the right
count, types and keys, or is refused with a message naming the line and the problem.

Expected values were worked out by reading each file against its format's specification, not
copied from the importer.  The corpus is read in place and never copied into the repository.
"""
from __future__ import annotations

import io
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import pytest

from question_bank.formats import detect_format, parse

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "public"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(),
                                reason="shared corpus not present (../shared/corpus); it runs in CI")


@dataclass
class Case:
    path: str
    fmt: str
    count: int
    types: dict
    keys: dict = field(default_factory=dict)      # line (or row, or package member) -> key
    errors: list = field(default_factory=list)    # (line or None, message fragment)

    def __str__(self):
        return self.path


def key_of(q):
    """A question's key in a compact comparable form."""
    p = q.payload
    if q.qtype == "multichoice":
        return "".join(a["id"] for a in p["answers"] if Fraction(a["fraction"]) > 0)
    if q.qtype == "truefalse":
        return p["correct"]
    if q.qtype == "shortanswer":
        return [a["text"] for a in p["answers"] if Fraction(a["fraction"]) == 1]
    if q.qtype == "numerical":
        return [(a["value"], a["tolerance"], a["fraction"]) for a in p["answers"]]
    if q.qtype == "matching":
        return {s["text"]: s["answer"] for s in p["subquestions"]}
    if q.qtype == "ordering":
        return [i["text"] for i in p["items"]]
    if q.qtype == "cloze":
        return [(part["qtype"], key_of(type(q)(part["qtype"], "", "", payload=part["payload"])))
                for part in p["parts"]]
    return None


CASES = [
    # --- csv/ ------------------------------------------------------------------------------
    # 390 rows below the header; keys read from column E; row 350 (STT 349) has an unlettered
    # 4th line joined to C (warned), row 365 (STT 364) a wrapped choice A.
    Case("csv/luat-dau-thau_390-cau-hoi.xlsx", "xlsx", 390, {"multichoice": 390},
         keys={2: "a", 3: "d", 4: "d", 5: "b", 350: "a", 365: "d", 369: "c", 391: "a"}),
    Case("csv/luat-dau-thau_50-cau-bo-sung.xlsx", "xlsx", 50, {"multichoice": 50},
         keys={2: "d", 3: "a", 4: "d", 5: "b"}),
    # Kahoot: row 6's four answers are all " ." — indistinguishable, refused.
    Case("csv/qas-editor_kahoot.csv", "csv", 4, {"multichoice": 4},
         keys={2: "d", 3: "a", 4: "a", 5: "b"}, errors=[(6, "same text")]),
    Case("csv/qformat-csv_sampleEssay.csv", "csv", 3, {"essay": 3}),
    Case("csv/qformat-csv_sampleMultichoice.csv", "csv", 6, {"multichoice": 6},
         keys={2: "acd", 3: "abcd", 4: "acd", 5: "a", 6: "b", 7: "c"}),
    # --- gift/ -----------------------------------------------------------------------------
    Case("gift/moodle_questions_in_category.gift.txt", "gift", 4,
         {"matching": 1, "multichoice": 1, "shortanswer": 1, "truefalse": 1},
         keys={5: {"An activity supporting asynchronous discussions.": "Forum",
                   "A teacher asks a question and specifies a choice of multiple responses.": "Choice",
                   "A bank of record entries which participants can add to.": "Database",
                   "A collection of web pages that anyone can add to or edit.": "Wiki", "": "Chat"},
               14: "b", 22: ["Moodler"], 27: True}),
    Case("gift/fuhrmanator_escapeAll.gift", "gift", 1, {"multichoice": 1}, keys={1: "g"}),
    Case("gift/fuhrmanator_numerical1.gift", "gift", 10, {"numerical": 10},
         keys={3: [("1822", "0", "1")], 5: [("-1", "0", "1")], 7: [("3.1415", "0.0005", "1")],
               9: [("-3.142", "0.001", "1")], 11: [("3.1415", "0.0005", "1")],
               13: [("-3.1415", "0.0005", "1")], 15: [("3", "2", "1")], 17: [("0", "5", "1")],
               19: [("1822", "0", "1"), ("1822", "2", "0.5")],
               23: [("5", "0", "0"), ("9", "0", "1"), ("23", "0", "0")]}),
    Case("gift/fuhrmanator_multiLineFeedback1.gift", "gift", 2, {"multichoice": 2},
         keys={3: "c", 11: "e"}),
    Case("gift/fuhrmanator_multipleAnswersFloat.gift", "gift", 1, {"multichoice": 1}, keys={1: "abd"}),
    Case("gift/fuhrmanator_mcHTMLComment.gift", "gift", 1, {"multichoice": 1}, keys={1: "c"}),
    Case("gift/bigdatawirtz_EJM_BIDA_UD1.gift", "gift", 4, {"multichoice": 4},
         keys={1: "d", 8: "a", 15: "a", 22: "b"}),
    Case("gift/bigdatawirtz_PDR_BIDA_UD1.gift", "gift", 3, {"multichoice": 3},
         keys={1: "a", 9: "a", 16: "a"}),
    Case("gift/qas-editor_all.gift", "gift", 22,
         {"description": 1, "essay": 2, "truefalse": 4, "numerical": 4, "multichoice": 5,
          "matching": 2, "shortanswer": 4},
         keys={18: True, 25: False, 27: True, 29: False,
               34: [("2006", "1", "1"), ("*", "0", "0")],
               39: [("-7", "0", "1"), ("4", "0", "1"), ("*", "0", "0")],
               46: [("3", "2", "1")], 48: [("3", "2", "1")], 52: "b",
               79: ["*manually*"], 86: ["four", "4"],
               93: ["Grant", "Ulysses S. Grant", "Ulysses Grant"],
               99: "abc", 105: "a", 112: "b", 119: "acf"}),
    # --- moodle-xml/ -----------------------------------------------------------------------
    Case("moodle-xml/moodle_nested_categories_with_questions.xml", "moodle_xml", 5,
         {"truefalse": 4, "essay": 1}, keys={15: True, 83: True, 123: True, 163: True}),
    # Moodle refuses the grade 33 % (not in its grade list): so do we, naming the <answer> line.
    Case("moodle-xml/moodle_error_invalid_grades.xml", "moodle_xml", 0, {},
         errors=[(38, "33%")]),
    Case("moodle-xml/moodle_sample_questions_with_old_image_tag.xml", "moodle_xml", 2,
         {"cloze": 1, "multichoice": 1},
         keys={16: [("multichoice", "a"), ("multichoice", "b"), ("multichoice", "a"),
                    ("multichoice", "b"), ("shortanswer", ["Paris"])], 36: "c"}),
    Case("moodle-xml/moodle_html_chars_in_idnumbers.xml", "moodle_xml", 1, {"truefalse": 1},
         keys={15: True}),
    Case("moodle-xml/gapfill_examples_es.xml", "moodle_xml", 0, {},
         errors=[(12, "gapfill"), (89, "gapfill")]),
    Case("moodle-xml/gapfill_examples_ja.xml", "moodle_xml", 0, {},
         errors=[(12, "gapfill"), (70, "gapfill"), (128, "gapfill")]),
    Case("moodle-xml/qas-editor_multichoice.xml", "moodle_xml", 1, {"multichoice": 1}, keys={3: "a"}),
    # --- aiken/ ----------------------------------------------------------------------------
    Case("aiken/moodle_questions.aiken.txt", "aiken", 2, {"multichoice": 2}, keys={1: "b", 8: "a"}),
    # The fixture's two good questions import (the second with "A)Choice", no space, as Moodle
    # accepts); the three bad ones are each reported at the line they start on.
    Case("aiken/moodle_aiken_errors.txt", "aiken", 2, {"multichoice": 2}, keys={9: "a", 18: "b"},
         errors=[(1, "at least 2 choices"), (5, "no question text"), (14, "no “ANSWER: X” line")]),
    Case("aiken/mood-c2a_aiken-example.txt", "aiken", 2, {"multichoice": 2}, keys={1: "c", 7: "a"}),
    # Line 27: four choices that are all " ." cannot be told apart.
    Case("aiken/qas-editor_aiken_1.txt", "aiken", 4, {"multichoice": 4},
         keys={1: "e", 9: "a", 15: "a", 21: "b"}, errors=[(27, "same text")]),
    # --- qti/ ------------------------------------------------------------------------------
    # Multiple response scored by its mapping (+2/+2/-2/-2/-2 over the positive sum 4).
    Case("qti/qtiworks-stomp_chc_mulS.xml", "qti", 1, {"multichoice": 1}, keys={3: "ab"}),
    Case("qti/qtiworks_WebDeveloperTest1.zip", "qti", 9, {"multichoice": 8, "cloze": 1},
         keys={"question1.xml": "c", "question2.xml": "a", "question3.xml": "c", "question4.xml": "d",
               "question5.xml": "be", "question6.xml": "d", "question7.xml": "a",
               "question8.xml": [("multichoice", "b"), ("multichoice", "b")], "question9.xml": "ab"}),
    Case("qti/qtiworks_ZipSlip.zip", "qti", 0, {}, errors=[(None, "zip slip")]),
    Case("qti/qtiworks_MissingFile.zip", "qti", 0, {}, errors=[(4, "“missing.xml”, which is not in")]),
    # The ONYX folder, zipped in memory: 13 items, hotspot and hottext refused by name.
    Case("qti/qti-sdk_interaction_mix_sachsen", "qti", 11,
         {"multichoice": 4, "ordering": 1, "matching": 2, "shortanswer": 1, "cloze": 2, "numerical": 1},
         keys={"Choicetruefalse_176040516.xml": "a", "Choicesingle_853928446.xml": "a",
               "Choicemultiple_2014410822.xml": "bd", "Choicemultiple_871212949.xml": "abc",
               "Order_913967682.xml": ["CDU", "Die Linke", "SDP", "Grüne", "NPD"],
               "Matchsingle_143114773.xml": {"Weißeritz": "Dresden", "Mulde": "Leipzig",
                                             "Saale": "Halle", "Spree": "Bautzen"},
               "TextEntry_883368511.xml": ["Fichtelberg"],
               "TextEntrynumeric_2040297025.xml": [("numerical", [("4", "0", "1")]),
                                                   ("numerical", [("2", "0", "1")])],
               "TextEntrynumeric_770468849.xml": [("4.136", "0.2068", "1")],
               "TextEntrysubset_806481421.xml": [("shortanswer", ["Dresden", "Chemnitz", "Leipzig"])] * 3},
         errors=[(37, "hotspotInteraction"), (42, "hottextInteraction")]),
]


def read(case: Case) -> bytes:
    path = CORPUS / case.path
    return zip_folder(path) if path.is_dir() else path.read_bytes()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_corpus_file(case):
    data = read(case)
    name = Path(case.path).name + (".zip" if (CORPUS / case.path).is_dir() else "")
    assert detect_format(name, data) == case.fmt
    result = parse(data, name)
    assert result.file == name and result.format == case.fmt
    assert len(result.questions) == case.count, result.report()
    assert dict(Counter(q.qtype for q in result.questions)) == case.types
    by_line = {q.source or q.line: q for q in result.questions}
    for line, key in case.keys.items():
        assert key_of(by_line[line]) == key, (line, by_line[line].name)
    assert len(result.errors) == len(case.errors), result.report()
    for (line, fragment), issue in zip(case.errors, result.errors):
        assert issue.line == line and fragment in str(issue.message), str(issue)
    for line in result.report()[:len(result.errors)]:
        assert line.startswith(name)


def test_bidding_law_bank_keeps_every_diacritic_and_category():
    case = CASES[0]
    result = parse(read(case), "390.xlsx")
    categories = Counter(q.category for q in result.questions)
    assert len(categories) == 20
    assert categories[("Đấu thầu qua mạng",)] == 92
    assert categories[("Tình huống thực tiễn & nâng cao",)] == 36
    first = result.questions[0]
    assert first.text == ("Trường hợp nào sau đây bắt buộc phải lựa chọn nhà thầu theo quy định tại "
                          "Luật Đấu thầu?")
    assert first.payload["answers"][0]["text"].startswith("Gói thầu thuộc dự án sử dụng vốn ngân sách")


def test_bidding_law_options_referring_to_other_options_keep_their_order():
    """DECISIONS.md 14 says 113; reading the file finds 131 questions with such a choice
    ("Phương án A và B đều đúng" ×54, "Các phương án trên đều đúng" ×13, …) — see the report."""
    result = parse(read(CASES[0]), "390.xlsx")
    fixed = [q for q in result.questions if not q.payload["shuffle_answers"]]
    assert len(fixed) == 131
    assert sum("refers to other choices" in str(w.message) for w in result.warnings) == 131
    fifty = parse(read(CASES[1]), "50.xlsx")
    assert sum(not q.payload["shuffle_answers"] for q in fifty.questions) == 20


def test_bidding_law_unlettered_line_is_joined_and_reported():
    result = parse(read(CASES[0]), "390.xlsx")
    q = next(q for q in result.questions if q.line == 350)
    assert len(q.payload["answers"]) == 3
    assert "01% đến 03%" in q.payload["answers"][2]["text"]
    warning = next(w for w in result.warnings if w.line == 350)
    assert warning.column == "D" and "no letter" in str(warning.message)


def zip_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.writestr(path.name, path.read_bytes())
    return buffer.getvalue()


def test_moodle_xml_nested_categories_and_their_records():
    result = parse((CORPUS / "moodle-xml/moodle_nested_categories_with_questions.xml").read_bytes(),
                   "nested.xml")
    assert [c.path for c in result.categories] == [
        ("Iota",), ("Iota", "Kappa"), ("Iota", "Kappa", "Lambda"), ("Iota", "Mu")]
    assert [q.category for q in result.questions] == [
        ("Iota",), ("Iota", "Kappa"), ("Iota", "Kappa"), ("Iota", "Kappa", "Lambda"), ("Iota", "Mu")]
    assert result.categories[1].info == "<p>This is Kappa category for test</p>"  # markdown


def test_moodle_xml_idnumbers_are_decoded_once():
    result = parse((CORPUS / "moodle-xml/moodle_html_chars_in_idnumbers.xml").read_bytes(), "ids.xml")
    assert result.categories[0].idnumber == "The inequalities < & >"
    assert result.questions[0].idnumber == "T & F"


def test_moodle_xml_embedded_files_are_kept():
    result = parse((CORPUS / "moodle-xml/qas-editor_multichoice.xml").read_bytes(), "mc.xml")
    question = result.questions[0]
    assert set(question.files) == {"4.png", "dessin.svg"}
    assert question.files["4.png"].startswith(b"\x89PNG")
    assert '<img src="@@PLUGINFILE@@/4.png"' in question.text
    assert question.default_mark == "1.3" and question.penalty == "1/3"
    assert not result.warnings
    legacy = parse((CORPUS / "moodle-xml/moodle_sample_questions_with_old_image_tag.xml").read_bytes(),
                   "old.xml")
    assert all(q.files["moodle.png"].startswith(b"\x89PNG") for q in legacy.questions)
    assert all("@@PLUGINFILE@@/moodle.png" in q.text for q in legacy.questions)


def test_aiken_stem_html_is_shown_as_text():
    result = parse((CORPUS / "aiken/moodle_questions.aiken.txt").read_bytes(), "q.txt")
    assert result.questions[1].text == ("Moodle's abilities include handling user input that includes "
                                        "&lt;html class=\"cool\"&gt; &amp; images:")


def test_aiken_strict_reading_refuses_the_missing_space():
    data = (CORPUS / "aiken/moodle_aiken_errors.txt").read_bytes()
    tolerant, strict = parse(data, "e.txt"), parse(data, "e.txt", strict=True)
    assert [q.line for q in tolerant.questions] == [9, 18]
    assert sum(w.line in (19, 20) for w in tolerant.warnings) == 2
    assert [q.line for q in strict.questions] == [9]
    assert strict.errors[-1].line == 18 and "capital followed by" in str(strict.errors[-1].message)


def test_qti_mapping_gives_exact_fractions_and_images_are_embedded():
    single = parse((CORPUS / "qti/qtiworks-stomp_chc_mulS.xml").read_bytes(), "c.xml").questions[0]
    assert [a["fraction"] for a in single.payload["answers"]] == ["0.5", "0.5", "-0.5", "-0.5", "-0.5"]
    assert single.default_mark == "5"
    package = parse((CORPUS / "qti/qtiworks_WebDeveloperTest1.zip").read_bytes(), "w.zip")
    q4 = next(q for q in package.questions if q.source == "question4.xml")
    assert q4.files["directory.jpg"].startswith(b"GIF")  # a GIF named .jpg
    assert '<img src="@@PLUGINFILE@@/directory.jpg"' in q4.text
    assert {q.category for q in package.questions} == {
        ("Web Developer Website", "Electronics and Computer Science")}
    sachsen = parse(zip_folder(CORPUS / "qti/qti-sdk_interaction_mix_sachsen"), "s.zip")
    multiple = next(q for q in sachsen.questions if q.source == "Choicemultiple_871212949.xml")
    assert [a["fraction"] for a in multiple.payload["answers"]] == ["1/3", "1/3", "1/3", "-1/3", "-2/3"]
    missing = [w for w in sachsen.warnings if "media/" in str(w.message)]
    assert len(missing) == 9 and all(w.source for w in missing)


def test_zip_slip_is_refused_without_extracting(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = parse((CORPUS / "qti/qtiworks_ZipSlip.zip").read_bytes(), "qtiworks_ZipSlip.zip")
    assert not result.questions and "../etc/" in str(result.errors[0].message)
    assert result.report()[0].startswith("qtiworks_ZipSlip.zip: ")
    assert not list(tmp_path.parent.glob("etc/passwd"))
