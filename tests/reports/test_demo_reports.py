"""The report pages, exports and the result sheet on the demo province (``flask demo load``).

Hand-checked figures from demo/data.py: 31 people are rated (everyone but ``admin``), 30
sat the test (``cv.vp1`` did not), and 28 passed (``cv.gcs2`` answered 40% and ``cv.vb1``
35% right; the pass mark is 50%).
"""
import re
import shutil
import subprocess
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from exam.models import Attempt, Exam
from extensions import db
from accounts.models import User
from reports import pdf
from reports.years import hr_board
from text_utils import plain

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_demo_reports_render_and_export(demo, client, auth):
    exam = db.session.scalars(select(Exam).where(Exam.code == "SH-2026")).one()
    auth.login("khaothi")
    assert client.get("/reports/").status_code == 200
    page = client.get(f"/reports/exam/{exam.id}").get_data(as_text=True)
    assert page.count("<svg") == 3 and "Sở Tài chính" in page
    items = client.get(f"/reports/exam/{exam.id}/items")
    assert items.status_code == 200
    version = db.session.scalars(select(Attempt)).first().slots[0].version_id
    assert client.get(f"/reports/exam/{exam.id}/items/{version}").status_code == 200
    for table in ("results", "agencies", "positions", "topics", "items", "options"):
        response = client.get(f"/reports/exam/{exam.id}/{table}.xlsx")
        assert response.status_code == 200 and response.mimetype == XLSX, table
    results = list(load_workbook(BytesIO(client.get(f"/reports/exam/{exam.id}/results.xlsx").data)).active
                   .iter_rows(min_row=2, values_only=True))
    assert len(results) == 30 and sum(1 for r in results if r[6] is not None and r[6] >= 50) == 28
    auth.logout()
    hr_dashboard_and_years(client, auth)


def hr_dashboard_and_years(client, auth):
    """(Part of the test above: the demo takes seconds to load.)"""
    hr = db.session.scalars(select(User).where(User.username == "nhansu")).one()
    board = hr_board(hr, 2026)
    assert (board.totals["people"], board.totals["test_sat"], board.totals["test_passed"]) == (31, 30, 28)
    assert sum(sum(u.levels.values()) for u in board.units) == board.totals["rated"] == 31
    assert board.deadline.isoformat() == "2026-12-15"
    auth.login("nhansu")
    assert client.get("/reports/hr?year=2026").status_code == 200
    unit = client.get(f"/reports/unit/{hr.agency.parent_id}").get_data(as_text=True)
    assert "2026" in unit
    person = client.get(f"/reports/person/{hr.id}").get_data(as_text=True)
    assert "2026" in person and "48,00 / 60,00" in person        # 0.8 × 60 right answers


@pytest.mark.skipif(not pdf.available(), reason=f"WeasyPrint cannot be imported: {pdf.unavailable_reason()}")
def test_demo_result_sheet_is_an_a4_pdf_without_the_key(demo, client, auth):
    attempt = db.session.scalars(select(Attempt).join(Attempt.user).where(Attempt.user.has(username="cv.ns1"))).one()
    auth.login("cv.ns1")
    response = client.get(f"/reports/attempt/{attempt.id}/sheet.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) not installed: the PDF's text is not checked")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.data, capture_output=True,
                          check=True).stdout.decode()
    assert "Phan Văn Phúc" in text and "54,00 / 60,00" in text          # 0.9 × 60
    info = subprocess.run(["pdfinfo", "-"], input=response.data, capture_output=True, check=True).stdout.decode()
    assert "(A4)" in info, info
    assert re.search(r"Pages:\s+[12]\n", info), info   # one sheet; Vietnamese labels may run onto a second page
    fonts = subprocess.run(["pdffonts", "-"], input=response.data, capture_output=True, check=True).stdout.decode()
    assert "Liberation-Serif" in fonts
    answers = [plain(a["text"]) for s in attempt.slots if s.version.qtype == "multichoice"
               for a in s.version.payload["answers"]]
    flat = " ".join(text.split())
    assert answers and not [a for a in answers if len(a) >= 20 and a in flat]   # no option text, so no key
