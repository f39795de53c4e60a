"""The bulk write of an import (question_bank/bulk.py: one INSERT … SELECT per batch on
PostgreSQL, executemany elsewhere) stores the same rows as adding the questions one at a
time through the ORM (services.add_question), on every database the suite runs on."""
import copy

import nh3
import pytest
from sqlalchemy import select

from extensions import db
from question_bank import services
from question_bank.formats import ParsedQuestion, ParseResult, parse
from question_bank.formats import text as text_mod
from question_bank.formats.questions import multichoice_payload
from question_bank.models import Question, QuestionBank, QuestionFile, QuestionStatus, QuestionTag, QuestionVersion
from tests import factories as f

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))


def _questions() -> list[ParsedQuestion]:
    mc = ParsedQuestion(
        qtype="multichoice", name="Hiệu lực " + "x" * 300, category=("Luật", "Đấu thầu"),
        text='<p>Luật Đấu thầu có hiệu lực từ ngày nào? <img src="@@PLUGINFILE@@/a.png"></p>',
        general_feedback="<p>Điều 96</p>", default_mark="2", penalty="1/3",
        payload=multichoice_payload([("01/01/2024", "1", "Đúng"), ("01/07/2023", "0", ""), ("“Cả hai”", "0", "")]),
        tags=("Đấu thầu", "dau thau", " Hợp   đồng ", ""), idnumber="LDT-1", line=7,
        difficulty="Vận dụng 0,7", legal_reference="Luật Đấu thầu 2023, Điều 5, khoản 2", files={"a.png": PNG})
    tf = ParsedQuestion(qtype="truefalse", name="", text="<p>Hồ sơ mời thầu do bên mời thầu lập.</p>",
                        payload={"correct": True, "feedback_true": "", "feedback_false": "Sai"}, line=9)
    return [mc, tf]


def _rows(question_id) -> dict:
    question = db.session.get(Question, question_id)
    version = question.current_version
    skip = {"id", "question_id", "current_version_id", "created_at"}
    return {
        "question": {c.name: getattr(question, c.key) for c in Question.__table__.columns if c.name not in skip}
        | {"version is current": version.question_id == question.id},
        "version": {c.name: getattr(version, c.key) for c in QuestionVersion.__table__.columns if c.name not in skip},
        "tags": sorted((t.key, t.tag) for t in db.session.scalars(
            select(QuestionTag).where(QuestionTag.question_id == question.id))),
        "files": [(x.name, x.mime, x.data) for x in db.session.scalars(
            select(QuestionFile).where(QuestionFile.version_id == version.id))],
    }


@pytest.fixture
def org(app):
    p = f.agency("P", kind="province")
    editor = f.user("editor", p, roles=[("bank_editor", p)])
    bank = QuestionBank(code="LDT", name="Luật Đấu thầu", agency=p)
    db.session.add(bank)
    db.session.commit()
    return {"bank": bank, "editor": editor}


def test_bulk_import_writes_the_rows_the_orm_writes(app, org):
    bank, editor = org["bank"], org["editor"]
    one_by_one = [services.add_question(bank, copy.deepcopy(q), editor, QuestionStatus.DRAFT, source_file="ldt.xml").id
                  for q in _questions()]
    report = services.import_result(bank, ParseResult("ldt.xml", "moodle_xml", _questions()), user=editor)
    db.session.commit()
    db.session.expire_all()
    assert (report.imported, report.written, len(report.duplicates)) == (2, True, 2)
    imported = list(db.session.scalars(select(Question.id).where(Question.id.notin_(one_by_one))
                                       .order_by(Question.id)))
    assert len(imported) == 2
    for orm_id, bulk_id in zip(one_by_one, imported):
        bulk_rows, orm_rows = _rows(bulk_id), _rows(orm_id)
        assert bulk_rows["question"] == orm_rows["question"]
        assert bulk_rows == orm_rows
    mc = _rows(imported[0])
    assert mc["question"]["status"] == QuestionStatus.DRAFT and mc["question"]["version is current"]
    assert (mc["version"]["name"], mc["version"]["difficulty"], mc["version"]["difficulty_value"]) == (
        ("Hiệu lực " + "x" * 300)[:255], "hard", 0.7)
    assert (mc["version"]["legal_reference"], mc["version"]["legal_article"]) == ("Luật Đấu thầu 2023", "Điều 5, khoản 2")
    assert mc["version"]["payload"]["answers"][2]["text"] == "“Cả hai”"
    assert mc["tags"] == [("dau thau", "Đấu thầu"), ("hop dong", "Hợp đồng")]
    assert mc["files"] == [("a.png", "image/png", PNG)]
    assert mc["version"]["created_by_id"] == editor.id and mc["version"]["source_line"] == 7


def test_a_big_import_is_written_in_batches_with_its_duplicates_found(app, org):
    """More questions than one batch (services.BATCH), one duplicate of the bank and one
    within the file; with --skip-duplicates neither is written."""
    bank = org["bank"]
    gift = "\n\n".join(f"::Q{i}:: Câu hỏi số {i} về Luật Đấu thầu? {{=Đúng ~Sai}}" for i in range(1, 1202))
    services.import_file(bank, "::Q7:: câu hỏi SỐ 7 về luat dau thau? {~Sai =đúng}".encode(), "one.gift")
    report = services.import_file(bank, (gift + "\n\n::Again:: Câu hỏi số 9 về Luật Đấu thầu? {=Đúng ~Sai}")
                                  .encode(), "big.gift", skip_duplicates=True)
    db.session.commit()
    assert (report.imported, [d["question"] for d in report.duplicates]) == (1200, ["Q7", "Again"])
    assert report.duplicates[0]["duplicate_of"] == db.session.scalar(select(Question.id).order_by(Question.id))
    names = db.session.scalars(select(QuestionVersion.name).join(Question, Question.current_version_id ==
                                                                  QuestionVersion.id).order_by(Question.id)).all()
    assert len(names) == 1201 and names[1:4] == ["Q1", "Q2", "Q3"] and "Q7" not in names[1:]
    assert db.session.scalar(select(db.func.count()).select_from(QuestionTag)) == 0


def test_an_invalid_file_writes_nothing(app, org):
    bank = org["bank"]
    report = services.import_file(bank, "::A:: Câu? {=Có ~Không}\n\n::B:: Câu hỏng {=Có ~Không".encode(), "x.gift")
    assert (report.written, report.imported, [e["line"] for e in report.errors]) == (False, 0, [3])
    assert db.session.scalar(select(db.func.count()).select_from(Question)) == 0


SAMPLES = [
    '<p style="color:red;position:fixed" onclick="x()">Luật <b>Đấu</b> <img src="data:image/png;base64,AAAA" '
    'onerror="alert(1)"></p><script>alert(1)</script>',
    '<a href="javascript:alert(1)" title="t">x</a><img src="data:text/html;base64,AAAA"><iframe src="x"></iframe>',
    '<font color="red">chữ</font><!-- comment --><table><tr><td lang="vi" dir="rtl">ô</td></tr></table>',
    '<img src="@@PLUGINFILE@@/h%C3%ACnh.png" width="30" alt="Hình"> <span style="text-align:center;x:1">e</span>',
]


@pytest.mark.parametrize("html", SAMPLES)
def test_the_reused_sanitiser_gives_what_a_fresh_one_gives(html):
    fresh = nh3.clean(html, tags=text_mod._TAGS, attributes=text_mod._ATTRIBUTES, url_schemes=text_mod._SCHEMES,
                      attribute_filter=text_mod._attribute_filter,
                      filter_style_properties=text_mod._STYLE_PROPERTIES, strip_comments=True)
    assert text_mod.sanitise(html) == text_mod.nfc(fresh).strip()
    assert "script" not in text_mod.sanitise(html) and "onerror" not in text_mod.sanitise(html)


def test_sanitised_text_keeps_images_and_drops_scripts():
    q = parse('::I:: [html]<p>Xem <img src="@@PLUGINFILE@@/a.png"><script>x()</script></p> {T}'.encode(),
              "i.gift").questions[0]
    assert q.text == '<p>Xem <img src="@@PLUGINFILE@@/a.png"></p>'
