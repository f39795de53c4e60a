"""Moodle XML and IMS QTI 2.1: safety (entities, zip slip, zip bombs, missing files) and the
per-question errors."""
from __future__ import annotations

import io
import zipfile

import pytest

from question_bank.formats import parse, zipsafe

ITEM = """<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="{id}" title="{title}"
    adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
    <correctResponse><value>B</value></correctResponse>
  </responseDeclaration>
  <itemBody><p>Câu hỏi <img src="hinh/a.png" alt=""/></p>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="1">
      <prompt>Chọn một:</prompt>
      <simpleChoice identifier="A">Sai</simpleChoice>
      <simpleChoice identifier="B">Đúng</simpleChoice>
      <simpleChoice identifier="C">Không có phương án nào đúng</simpleChoice>
    </choiceInteraction>
  </itemBody>
</assessmentItem>"""
MANIFEST = """<?xml version="1.0"?><manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><resources>
{resources}</resources></manifest>"""


def package(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def resource(href: str, kind: str = "imsqti_item_xmlv2p1") -> str:
    return f'<resource identifier="r-{href}" type="{kind}" href="{href}"><file href="{href}"/></resource>'


def test_entity_expansion_is_refused():
    bomb = b"""<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>
<quiz><question type="essay"><name><text>&b;</text></name></question></quiz>"""
    result = parse(bomb, "bomb.xml")
    assert not result.questions and "entities" in str(result.errors[0].message)


def test_external_entity_is_refused():
    evil = b"""<?xml version="1.0"?><!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<quiz><question type="essay"><name><text>&x;</text></name></question></quiz>"""
    result = parse(evil, "evil.xml")
    assert not result.questions and result.errors


def test_malformed_xml_names_the_line():
    result = parse(b'<?xml version="1.0"?>\n<quiz>\n<question type="essay">\n</quiz>', "bad.xml")
    assert result.errors[0].line == 4 and "not well-formed" in str(result.errors[0].message)


def test_moodle_xml_reports_every_bad_question():
    xml = b"""<?xml version="1.0"?><quiz>
<question type="calculated"><name><text>Calc</text></name></question>
<question type="multichoice"><name><text>Bad grade</text></name><questiontext><text>Q</text></questiontext>
<answer fraction="45"><text>a</text></answer><answer fraction="0"><text>b</text></answer></question>
<question type="truefalse"><name><text>No true</text></name><questiontext><text>Q</text></questiontext>
<answer fraction="100"><text>yes</text></answer></question>
<question type="shortanswer"><name><text>Good</text></name><questiontext><text>Q</text></questiontext>
<answer fraction="100"><text>ok</text></answer></question></quiz>"""
    result = parse(xml, "m.xml")
    assert [q.name for q in result.questions] == ["Good"]
    assert [(e.line, e.question) for e in result.errors] == [(2, "Calc"), (4, "Bad grade"), (6, "No true")]
    assert "calculated" in str(result.errors[0].message) and "45%" in str(result.errors[1].message)


def test_qti_item_with_image_from_the_package():
    files = {"imsmanifest.xml": MANIFEST.format(resources=resource("items/q1.xml")),
             "items/q1.xml": ITEM.format(id="q1", title="Câu 1"), "items/hinh/a.png": b"PNG"}
    result = parse(package(files), "goi.zip")
    question = result.questions[0]
    assert (question.qtype, question.source, question.name) == ("multichoice", "items/q1.xml", "Câu 1")
    assert question.files == {"items/hinh/a.png": b"PNG"}
    assert '<img src="@@PLUGINFILE@@/items/hinh/a.png"' in question.text and "Chọn một:" in question.text
    assert [a["fraction"] for a in question.payload["answers"]] == ["0", "1", "0"]
    assert question.payload["shuffle_answers"] is False  # "Không có phương án nào"


def test_qti_manifest_path_leaving_the_package_is_refused():
    files = {"imsmanifest.xml": MANIFEST.format(resources=resource("../q1.xml")), "q1.xml": ITEM}
    result = parse(package(files), "p.zip")
    assert not result.questions and "outside the package" in str(result.errors[0].message)


def test_qti_test_referring_to_a_missing_item_is_refused():
    test = """<assessmentTest xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="t" title="T">
<testPart identifier="p"><assessmentSection identifier="s" title="S">
<assessmentItemRef identifier="a" href="q1.xml"/><assessmentItemRef identifier="b" href="gone.xml"/>
</assessmentSection></testPart></assessmentTest>"""
    result = parse(package({"test.xml": test, "q1.xml": ITEM.format(id="q1", title="x")}), "p.zip")
    assert not result.questions
    assert (result.errors[0].line, "gone.xml") == (3, "gone.xml") and "gone.xml" in str(result.errors[0].message)


def test_zip_slip_entry_is_refused():
    result = parse(package({"../../evil.xml": ITEM, "q.xml": ITEM}), "slip.zip")
    assert not result.questions and "zip slip" in str(result.errors[0].message)


@pytest.mark.parametrize("limit, value", [("MAX_TOTAL_BYTES", 1000), ("MAX_ENTRIES", 1), ("MAX_RATIO", 5)])
def test_zip_bombs_are_refused_before_reading(monkeypatch, limit, value):
    monkeypatch.setattr(zipsafe, limit, value)
    data = package({"q1.xml": ITEM.format(id="q1", title="x"), "pad.bin": b"\0" * 5000})
    result = parse(data, "bomb.zip")
    assert not result.questions and result.errors


def test_xlsx_bomb_is_refused(monkeypatch):
    from question_bank.formats import template_xlsx

    monkeypatch.setattr(zipsafe, "MAX_TOTAL_BYTES", 100)
    result = parse(template_xlsx(), "t.xlsx")
    assert "MB allowed" in str(result.errors[0].message)


def test_unsupported_interaction_is_named():
    item = ITEM.replace("choiceInteraction", "sliderInteraction")
    result = parse(item.format(id="s", title="Slider").encode(), "s.xml")
    assert "sliderInteraction" in str(result.errors[0].message) and result.errors[0].line == 8


def test_assessment_test_alone_asks_for_the_package():
    result = parse(b'<assessmentTest xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1"/>', "t.xml")
    assert "package" in str(result.errors[0].message)
