"""Imports into the bank: duplicate detection (same normalised stem and key) with the choice
to skip, difficulty and legal reference read into their fields and written back out."""
import html
import io

import pytest
from flask_babel import gettext as _
from sqlalchemy import func, select

from extensions import db
from question_bank import services
from question_bank.export import export_bank
from question_bank.formats import ParsedQuestion, export_xlsx, parse
from question_bank.models import Question, QuestionBank, QuestionVersion
from tests import factories as f

GIFT = """::Q1:: Luật Đấu thầu số 22/2023/QH15 có hiệu lực từ ngày nào? {=01/01/2024 ~01/07/2023 ~01/01/2025}

::Q2:: Hồ sơ mời thầu do bên mời thầu lập. {T}

::Q3:: Thời gian tối thiểu chuẩn bị hồ sơ dự thầu (ngày)? {#20}
"""
# Q1 again with no accents, capitals, extra spaces and the options in another order: a
# duplicate; Q1 with another key: not one.
VARIANTS = """::Q1 bis:: LUAT DAU THAU so 22/2023/QH15   co hieu luc tu ngay nao? {~01/07/2023 ~01/01/2025 =01/01/2024}

::Q1 ter:: Luật Đấu thầu số 22/2023/QH15 có hiệu lực từ ngày nào? {~01/01/2024 =01/07/2023 ~01/01/2025}
"""


@pytest.fixture
def org(app):
    p = f.agency("P", kind="province")
    editor = f.user("editor", p, roles=[("bank_editor", p)])
    bank = QuestionBank(code="LDT", name="Luật Đấu thầu", agency=p)
    db.session.add(bank)
    db.session.commit()
    return {"bank": bank, "editor": editor}


def _count(bank) -> int:
    return db.session.scalar(select(func.count()).select_from(Question).where(Question.bank_id == bank.id))


def _upload(client, bank, text, name="ldt.gift", **flags):
    data = {"file": (io.BytesIO(text.encode()), name), **{k: "y" for k, v in flags.items() if v}}
    response = client.post(f"/bank/{bank.id}/import", content_type="multipart/form-data", data=data)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_duplicates_are_reported_and_skipped_on_request(app, org):
    bank = org["bank"]
    client = app.test_client()
    assert client.post("/login", data={"username": "editor", "password": f.PASSWORD}).status_code == 302
    _upload(client, bank, GIFT)
    assert _count(bank) == 3
    first = db.session.scalars(select(Question.id).order_by(Question.id)).first()

    page = _upload(client, bank, GIFT)                                      # imported anyway, but reported
    assert _count(bank) == 6
    assert f'<a href="/bank/question/{first}">' in page and _("Duplicates (%(n)d)", n=3) in page

    report = services.import_file(bank, GIFT.encode(), "ldt.gift", skip_duplicates=True, user=org["editor"])
    assert (report.imported, report.written, len(report.duplicates)) == (0, False, 3)
    assert report.duplicates[0] == {"line": 1, "question": "Q1", "duplicate_of": first,
                                    "message": _("Same question and key as question #%(id)d of the bank.", id=first)}
    page = _upload(client, bank, GIFT, skip_duplicates=True)
    assert _count(bank) == 6 and 'name="skip_duplicates"' in page


def test_duplicates_within_one_file(app, org):
    bank = org["bank"]
    report = services.import_file(bank, (GIFT + "\n" + VARIANTS).encode(), "v.gift", skip_duplicates=True)
    assert (report.imported, report.written) == (4, True)
    assert [(d["line"], d["question"], d["duplicate_of"], d["message"]) for d in report.duplicates] == [
        (7, "Q1 bis", None, _("Same question and key as line %(line)s of this file.", line=1))]
    names = sorted(db.session.scalars(select(QuestionVersion.name)))
    assert names == ["Q1", "Q1 ter", "Q2", "Q3"]


def test_the_duplicate_key_follows_the_current_version(app, org):
    bank = org["bank"]
    services.import_file(bank, GIFT.encode(), "ldt.gift")
    q2 = db.session.scalars(select(Question).join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
                            .where(QuestionVersion.name == "Q2")).one()
    edited = parse("::Q2:: Hồ sơ mời thầu do chủ đầu tư phê duyệt. {T}".encode(), "e.gift").questions[0]
    assert services.save_version(q2, edited, org["editor"]).version.version == 2
    report = services.import_file(bank, GIFT.encode(), "ldt.gift", skip_duplicates=True)
    assert [d["question"] for d in report.duplicates] == ["Q1", "Q3"]
    assert report.imported == 1


def test_difficulty_and_legal_reference_in_and_out(app, org):
    bank = org["bank"]
    q = f.mc("Hiệu lực")
    sheet = export_xlsx([ParsedQuestion(qtype=q.qtype, name=q.name, text=q.text, category=("Chung",),
                                        payload=q.payload, difficulty="Khó",
                                        legal_reference="Luật Đấu thầu số 22/2023/QH15, Điều 5, khoản 2")])
    report = services.import_file(bank, sheet, "ldt.xlsx")
    assert report.written, report.errors
    v = db.session.scalars(select(QuestionVersion)).one()
    assert (v.difficulty, v.difficulty_value) == ("hard", None)
    assert (v.legal_reference, v.legal_article) == ("Luật Đấu thầu số 22/2023/QH15", "Điều 5, khoản 2")
    again = parse(export_bank(bank, "xlsx"), "out.xlsx").questions[0]
    assert (again.difficulty, again.legal_reference) == ("hard", "Luật Đấu thầu số 22/2023/QH15, Điều 5, khoản 2")


def test_a_long_unknown_difficulty_is_kept_within_its_column(app, org):
    q = f.mc("Q")
    q.difficulty = "x" * 80
    question = services.add_question(org["bank"], q)
    db.session.commit()
    assert question.current_version.difficulty == "x" * 50


def test_bulk_import_links_each_question_to_its_own_version(app, org):
    bank = org["bank"]
    services.import_file(bank, GIFT.encode(), "first.gift")
    last = db.session.scalars(select(Question).order_by(Question.id.desc())).first()
    services.delete_question(last, org["editor"])           # the largest ids are gone before the next import
    report = services.import_file(bank, (GIFT + "\n" + VARIANTS).encode(), "second.gift", user=org["editor"])
    db.session.commit()
    assert report.imported == 5
    rows = db.session.execute(select(Question.id, Question.qtype, QuestionVersion.question_id, QuestionVersion.name,
                                     QuestionVersion.version, Question.search_text)
                              .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
                              .order_by(Question.id)).all()
    assert all(qid == owner and version == 1 for qid, _t, owner, _n, version, _s in rows)
    assert [(n, t) for _q, t, _o, n, _v, _s in rows] == [
        ("Q1", "multichoice"), ("Q2", "truefalse"),
        ("Q1", "multichoice"), ("Q2", "truefalse"), ("Q3", "numerical"), ("Q1 bis", "multichoice"),
        ("Q1 ter", "multichoice")]
    assert rows[-1][5].startswith("q1 ter luat dau thau so 22/2023/qh15")
