"""PDF rating sheets: Decree 335/2025 Mẫu số 01 per period and the yearly summary
(unofficial layout), A4, Liberation Serif, decimal comma (DECISIONS.md 27, FORMS.md)."""
import re
import shutil
import subprocess
from fractions import Fraction

import pytest
from sqlalchemy import select

from classification import services, sheets
from classification.models import GeneralAssessment, YearlyClassification
from extensions import db
from tests import factories as f

PDF_ERROR = sheets.weasyprint_error()
needs_pdf = pytest.mark.skipif(PDF_ERROR is not None, reason=f"WeasyPrint cannot be imported: {PDF_ERROR}")


def _poppler(tool: str, pdf: bytes, tmp_path, *args) -> str:
    """The output of a poppler tool (pdftotext, pdfinfo, pdffonts) on ``pdf``."""
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed: the PDF cannot be inspected")
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture
def rated(app, unit):
    """p0 scores 96.5 in 2026-Q1 (general 26.5 + 70); self points differ from the final ones."""
    person = unit["make"]([Fraction(193, 2)])[0]
    assessment = db.session.query(GeneralAssessment).filter_by(user_id=person.id).one()
    assessment.self_points = {**assessment.final_points, "I.1": "9/2"}     # 30 − 3.5 + 0 … self total 26
    services.run_rating(unit["U"], 2026, unit["hr"])
    db.session.commit()
    return person


def test_sheet_html_in_the_official_layout(app, rated):
    with app.test_request_context():
        html = sheets.render_html(rated, 2026)
    assert html.count('class="sheet monthly"') == 1 and 'class="sheet summary"' in html
    assert "Mẫu số 01" in html and "PHIẾU THEO DÕI, ĐÁNH GIÁ CÔNG CHỨC" in html.upper()
    assert "(Kỳ theo dõi, đánh giá: Quý I năm 2026)" in html
    # table I: the person's own points, group II and III sums, total 26 (self) of 30
    assert re.search(r"<td class=\"tt\">I</td>.*?<td class=\"num\">10</td><td class=\"num\">9,5</td>", html, re.S)
    assert re.search(r"Tổng cộng</td><td class=\"num\">30</td><td class=\"num\">26</td>", html)
    # section II: the final points, components and formula with decimal commas
    assert "Điểm tiêu chí chung: 26,50 điểm" in html
    assert "a) Số lượng kết quả thực hiện nhiệm vụ: 100%" in html
    assert "Điểm = (a + b + c) / 3 × 70 = 70,00 điểm" in html
    assert "Tổng điểm theo dõi, đánh giá công chức: 96,50 điểm" in html
    assert "CÔNG CHỨC TỰ ĐÁNH GIÁ" in html.upper() and "CẤP CÓ THẨM QUYỀN THEO DÕI, ĐÁNH GIÁ" in html.upper()
    # the yearly summary: not an official form
    assert "unofficial layout" in html and "Điểm bình quân năm: <strong>96,50</strong>" in html


@needs_pdf
def test_pdf_is_a4_in_liberation_serif_with_the_unofficial_footer(app, unit, rated, tmp_path):
    client = app.test_client()
    client.post("/login", data={"username": "hr", "password": f.PASSWORD})     # the person's own copy: blank results
    response = client.get(f"/rating/sheet/{rated.id}/2026.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.data
    assert pdf.startswith(b"%PDF-")
    info = _poppler("pdfinfo", pdf, tmp_path)
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    fonts = _poppler("pdffonts", pdf, tmp_path)
    assert "Liberation-Serif" in fonts and all("Liberation" in line for line in fonts.splitlines()[2:])
    text = _poppler("pdftotext", pdf, tmp_path, "-layout")
    assert "Mẫu số 01" in text and "96,50" in text and "unofficial layout" in text
    assert text.count("\f") >= 2                    # the period sheet and the summary start on new pages


@needs_pdf
def test_one_period_and_access(app, unit, rated):
    client = app.test_client()
    client.post("/login", data={"username": "outsider", "password": f.PASSWORD})
    assert client.get(f"/rating/sheet/{rated.id}/2026.pdf").status_code == 404
    client = app.test_client()
    client.post("/login", data={"username": "hr", "password": f.PASSWORD})
    assert client.get(f"/rating/sheet/{rated.id}/2026.pdf?period=2025-Q1").status_code == 404
    single = client.get(f"/rating/sheet/{rated.id}/2026.pdf?period=2026-Q1")
    assert single.status_code == 200 and single.data.startswith(b"%PDF-")


def test_decree_90_form_02_for_a_rating_year_up_to_2025(app, unit):
    """Mẫu số 02 (FORMS.md Form 1): sections I–II from the person's own assessment, III
    empty for someone who is not a deputy head, IV the approved level."""
    from classification import workflow
    from classification.models import YearlyAssessment
    from tests.classification.conftest import scored

    person = f.user("cv", unit["U"], position="Chuyên viên chính")
    scored(person, unit["hr"], Fraction(90), year=2025)
    db.session.add(YearlyAssessment(user_id=person.id, year=2025, items={"1": "Lập trường vững vàng",
                                                                        "5": "Hoàn thành 12/12 nhiệm vụ"},
                                    self_comment="Ưu điểm: chủ động", self_level="GOOD", review_comment="Đồng ý",
                                    review_level="GOOD", reviewed_by_id=unit["head"].id))
    db.session.commit()
    rows = services.run_rating(unit["U"], 2025, unit["hr"])
    assert [r.profile for r in rows] == ["nd90"]
    with app.test_request_context():
        draft = sheets.render_html(person, 2025)
    assert "Mẫu số 02" in draft and "Mẫu số 01" not in draft and 'class="sheet summary"' not in draft
    assert "PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC" in draft.upper() and "Năm 2025" in draft
    assert "1. Chính trị tư tưởng:</p><div class=\"item-text\">Lập trường vững vàng</div>" in draft
    assert "Hoàn thành 12/12 nhiệm vụ" in draft and "Ưu điểm: chủ động" in draft
    assert "2. Tự xếp loại chất lượng: <span class=\"levels\">(Hoàn thành xuất sắc nhiệm vụ; Hoàn thành tốt " in draft
    assert "Người tự đánh giá" in draft and "Người có thẩm quyền đánh giá" in draft
    assert "Năng lực lãnh đạo, quản lý:" not in draft                      # items 7–9 for leaders only
    # section III is for a deputy head: empty here; section IV waits for the approval
    assert "2. Mức xếp loại: <strong>……</strong>" in draft
    assert "Kết quả đánh giá, xếp loại chất lượng: <strong>……</strong>" in draft
    for step, actor in ((workflow.propose, "hr"), (workflow.close_council, "sec"), (workflow.approve, "head")):
        step(unit["U"], 2025, unit[actor])
    db.session.commit()
    level = db.session.scalars(select(YearlyClassification)).one().level
    with app.test_request_context():
        final = sheets.render_html(person, 2025)
    assert f"Kết quả đánh giá, xếp loại chất lượng: <strong>{level_vi[level]}</strong>" in final


level_vi = {"EXCELLENT": "Hoàn thành xuất sắc nhiệm vụ", "GOOD": "Hoàn thành tốt nhiệm vụ",
            "COMPLETED": "Hoàn thành nhiệm vụ", "NOT_COMPLETED": "Không hoàn thành nhiệm vụ"}


@needs_pdf
def test_form_02_pdf_is_a4(app, unit, tmp_path):
    from tests.classification.conftest import scored

    person = f.user("cv", unit["U"])
    scored(person, unit["hr"], Fraction(90), year=2025)
    db.session.commit()
    with app.test_request_context():
        pdf = sheets.render_pdf(person, 2025)
    info = _poppler("pdfinfo", pdf, tmp_path)
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    assert "Liberation-Serif" in _poppler("pdffonts", pdf, tmp_path)
    text = _poppler("pdftotext", pdf, tmp_path, "-layout")
    assert "Mẫu số 02" in text and "KẾT QUẢ TỰ ĐÁNH GIÁ" in text
