"""Exam reports on the small exam of conftest.py, every figure worked by hand."""
from io import BytesIO
from math import sqrt

import pytest
from openpyxl import load_workbook

from exam import marking
from extensions import db
from reports import exam_data, queries
from reports.labels import OUTCOMES
from tests.factories import PASSWORD


def login(client, user):
    return client.post("/login", data={"username": user.username, "password": PASSWORD})


def test_item_statistics_of_the_small_exam(small):
    stats = exam_data.exam_stats(small["exam"])
    by_name = {info.name: item for info, item in zip(stats.items, stats.analysis.items)}
    assert [by_name[q].facility for q in ("Q1", "Q2", "Q3")] == [0.75, 0.5, 0.25]
    # Q1: x = 1,1,1,0; rest = 2,1,0,0 → Σdx² = .75, Σdr² = 2.75, Σdxdr = .75.
    assert by_name["Q1"].discrimination_index == pytest.approx(100 * 0.75 / sqrt(0.75 * 2.75))
    # groups of round(0.27 × 4) = 1: An on top, Dũng at the bottom.
    assert stats.analysis.group_size == 1
    q3 = {o.key: o for o in by_name["Q3"].options}
    assert (q3["a"].is_key, q3["a"].count, q3["a"].upper_share) == (True, 1, 1.0)
    assert (q3["b"].count, q3["b"].lower_share, q3["c"].count, q3["d"].count) == (2, 1.0, 1, 0)
    assert by_name["Q3"].random_guess == 0.25
    test = stats.analysis.test
    assert (test.attempts, test.mean, test.median, test.max_score) == (4, 1.5, 1.5, 3.0)


def test_summary_breakdowns_and_topics(small):
    p, a, b = small["agencies"]
    report = queries.exam_report(small["exam"], small["admin"], p)
    s = report["summary"]
    assert (s.attempts, s.counted, s.passed, s.pass_rate) == (4, 4, 2, 0.5)
    assert s.mean == pytest.approx(50.0) and s.median == pytest.approx(50.0)
    assert s.histogram == (1, 0, 0, 1, 0, 0, 1, 0, 0, 1)       # 0, 33.3, 66.7, 100 %
    agencies = {g.label: (g.count, round(g.mean, 6), g.passed) for g in report["agencies"]}
    assert agencies == {"Agency A": (2, round(250 / 3, 6), 2), "Agency B": (2, round(50 / 3, 6), 0)}
    positions = {g.label: (g.count, g.passed) for g in report["positions"]}
    assert positions == {"Kế toán": (1, 1), "Chuyên viên": (3, 1)}
    assert report["topics"] == [("Chung", 3.0, pytest.approx(50.0))]


def test_a_reader_sees_only_their_subtree(small):
    p, a, b = small["agencies"]
    report = queries.exam_report(small["exam"], small["hr"], a)
    assert sorted(r.full_name for r in report["rows"]) == ["An", "Binh"]
    assert report["summary"].mean == pytest.approx(250 / 3)
    assert report["topics"] == [("Chung", 3.0, pytest.approx(250 / 3))]   # 5 of 6 marks


def test_exam_pages_and_access(small, client):
    exam = small["exam"]
    login(client, small["hr"])
    page = client.get(f"/reports/exam/{exam.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('role="img"') == 3 and "Binh" in html and "Chi" not in html
    assert client.get(f"/reports/exam/{exam.id}/items").status_code == 403      # HR: no question texts
    assert client.get(f"/reports/exam/{exam.id}?unit={small['agencies'][2].id}").status_code == 404
    client.post("/logout")
    login(client, small["admin"])
    items = client.get(f"/reports/exam/{exam.id}/items")
    assert items.status_code == 200 and "Q3" in items.get_data(as_text=True)
    version = small["attempts"]["an"].slots[0].version_id
    detail = client.get(f"/reports/exam/{exam.id}/items/{version}")
    assert detail.status_code == 200 and 'name="question_id"' in detail.get_data(as_text=True)
    client.post("/logout")
    login(client, small["people"]["chi"])
    assert client.get(f"/reports/exam/{exam.id}").status_code == 403


def test_results_export_keeps_formulas_as_text(small, client):
    small["people"]["an"].full_name = "=HYPERLINK(\"http://x\")"
    db.session.commit()
    login(client, small["admin"])
    response = client.get(f"/reports/exam/{small['exam'].id}/results.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 5 and len(rows[0]) == 8            # a header and four people, eight columns
    cell = next(c for c in sheet["B"] if c.value and str(c.value).startswith("="))
    assert cell.data_type == "s"
    scores = {r[1]: (r[4], r[6], r[7]) for r in rows[1:]}
    assert scores["Chi"] == (1.0, 33.3, str(OUTCOMES["failed"])) and scores["Binh"] == (2.0, 66.7, str(OUTCOMES["passed"]))
    items = load_workbook(BytesIO(client.get(f"/reports/exam/{small['exam'].id}/items.xlsx").data)).active
    facility = {r[1]: r[5] for r in items.iter_rows(min_row=2, values_only=True)}
    assert facility == {"Q1": 75.0, "Q2": 50.0, "Q3": 25.0}


def test_a_regrade_invalidates_the_cached_statistics(small):
    exam = small["exam"]
    before = exam_data.exam_stats(exam)
    assert exam_data.exam_stats(exam) is before                     # cached: same object
    question = next(i for i in before.items if i.name == "Q3")
    job = marking.preview_regrade(exam, _question(question.question_id), "exclude", "ambiguous", small["admin"])
    marking.apply_regrade(job, small["admin"])
    db.session.commit()
    after = exam_data.exam_stats(exam)
    assert after is not before and after.fingerprint != before.fingerprint
    assert [i.name for i in after.items] == ["Q1", "Q2"]             # the excluded question is gone
    assert after.analysis.test.mean == pytest.approx(1.25)           # (2 + 2 + 1 + 0) / 4


def _question(question_id):
    from question_bank.models import Question

    return db.session.get(Question, question_id)


def test_an_exam_nobody_has_finished_still_renders(small, client):
    from tests import factories as f

    p = small["agencies"][0]
    empty = f.exam(small["bank"], p, [(small["bank"].categories[0], 3, 1)], code="E2")
    db.session.commit()
    stats = exam_data.exam_stats(empty)
    assert stats.items == () and stats.analysis.test.attempts == 0
    login(client, small["admin"])
    for url in (f"/reports/exam/{empty.id}", f"/reports/exam/{empty.id}/items",
                f"/reports/exam/{empty.id}/results.xlsx", f"/reports/exam/{empty.id}/options.xlsx"):
        assert client.get(url).status_code == 200, url
