"""The main job end to end through the test client, on the real bidding-law bank:
import the XLSX bank → build and open the exam → examinees sit it → tasks with verified
products → general-criteria points → the yearly rating and its XLSX export.

Every expected score below is worked out by hand (comments) from RULES.md §3/§4a with
the default settings: test rule "general criteria" (II.1 = 2.5 × test fraction),
quota denominator "GOOD only" (cap = ⌊N/6⌋), one monitoring period (2026-Q1).
"""
import io
import re
from datetime import timedelta
from fractions import Fraction

import openpyxl
import pytest
from sqlalchemy import select

from accounts.models import Role
from classification.models import YearlyClassification
from conftest import shared_path
from db_types import utcnow
from exam.models import Attempt, AttemptState, Exam
from extensions import db
from performance.models import ProductReport, Task
from question_bank.models import Category, Question, QuestionBank
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FULL = {"I.1": 5, "I.2": 5, "II.1": 2.5, "II.2": 2.5, "II.3": 2.5, "II.4": 2.5,
        "III.1": 2.5, "III.2": 2.5, "III.3": 2.5, "III.4": 2.5}
S3_S5 = {"I.1": 4, "I.2": 4, "II.1": 2, "II.2": 2, "II.3": 2, "II.4": 2,
         "III.1": 2, "III.2": 2, "III.3": 2, "III.4": 2}              # 24 points


class Session:
    """One logged-in browser: a fresh test client per person."""

    def __init__(self, app, username):
        self.client = app.test_client()
        response = self.client.post("/login", data={"username": username, "password": f.PASSWORD})
        assert response.status_code == 302, username

    def post(self, url, **kw):
        return self.client.post(url, **kw)

    def get(self, url):
        return self.client.get(url)


@pytest.fixture
def org(app):
    p = f.agency("P", kind="province")
    d1 = f.agency("D1", p, rating_unit=True)
    d2 = f.agency("D2", p, rating_unit=True)
    people = {
        "chair": f.user("chair", p, leader=True, roles=[("supervisor", p)]),
        "hr": f.user("hr", d2, roles=[("hr_officer", p)]),
        "editor": f.user("editor", d2, roles=[("bank_editor", p), ("exam_admin", p)]),
        "reviewer": f.user("reviewer", d2, roles=[("reviewer", p)]),
        "hr2": f.user("hr2", d2, roles=[("hr_officer", d2)]),
        "lead": f.user("lead", d1, leader=True, quota_group="ld", roles=[("supervisor", d1), ("head", d1)]),
    }
    for i in range(1, 9):
        people[f"s{i}"] = f.user(f"s{i}", d1)
    people["chair"].rated = False
    db.session.commit()
    return {"P": p, "D1": d1, "D2": d2, **people}


def _answer(client, attempt, right: int):
    """Answer the first ``right`` slots with the key and the rest with a wrong option."""
    db.session.refresh(attempt)
    for i, slot in enumerate(attempt.slots):
        answers = slot.version.payload["answers"]
        key = next(a["id"] for a in answers if Fraction(a["fraction"]) == 1)
        wrong = next(a["id"] for a in answers if Fraction(a["fraction"]) == 0)
        body = {"token": attempt.session_token, "position": slot.position, "seq": i + 1,
                "response": {"choice": key if i < right else wrong}}
        response = client.post(f"/exam/attempt/{attempt.id}/save", json=body)
        assert response.status_code == 200 and response.json["status"] == "saved"


def _sit(app, username, exam_id, right, submit=True):
    s = Session(app, username)
    assert s.post(f"/exam/{exam_id}/start").status_code == 302
    attempt = db.session.scalars(select(Attempt).where(Attempt.exam_id == exam_id,
                                                       Attempt.user.has(username=username))).one()
    assert s.get(f"/exam/attempt/{attempt.id}").status_code == 200     # issues the page token
    db.session.refresh(attempt)
    _answer(s.client, attempt, right)
    if submit:
        assert s.post(f"/exam/attempt/{attempt.id}/submit").status_code == 302
        s.post(f"/exam/attempt/{attempt.id}/submit")                    # a second press changes nothing
    return attempt


def _task(sup, assignee, title, target, factor="1"):
    response = sup.post("/tasks/assign", data={
        "assignee": assignee.id, "year": 2026, "quarter": "Q1", "title": title, "indicator": "Văn bản ban hành",
        "unit_of_measure": "văn bản", "target": target, "factor": factor, "weight": "1", "deadline": "2026-03-31"})
    assert response.status_code == 302, response.data[:500]
    return db.session.scalars(select(Task).where(Task.title == title)).one()


def _report_and_verify(app, sup, task, username, actual, *, accepted=None, on_time=True, quality=True):
    s = Session(app, username)
    response = s.post(f"/tasks/{task.id}/report", content_type="multipart/form-data", data={
        "actual_value": actual, "product": "Quyết định số 12/QĐ-SNV", "delivered_on": "2026-03-20",
        "evidence": (io.BytesIO(PDF), "minh-chung.pdf")})
    assert response.status_code == 302, response.data[:800]
    report = db.session.scalars(select(ProductReport).where(ProductReport.task_id == task.id)).one()
    data = {"accepted_value": accepted if accepted is not None else actual, "comment": "ok",
            "quality_failures": 0, "quality_failures_excused": 0, "delays": 0, "delays_excused": 0}
    if on_time:
        data["on_time"] = "y"
    if quality:
        data["quality_met"] = "y"
    assert sup.post(f"/tasks/product/{report.id}/verify", data=data).status_code == 302


def _general(sup, person, points, leader_pct=None):
    data = {f"c_{k.replace('.', '_')}": v for k, v in points.items()}
    if leader_pct:
        data["org_capacity"], data["unity"] = leader_pct
    response = sup.post(f"/rating/general/{person.id}/2026-Q1", data=data)
    assert response.status_code == 302, response.data[:800]


def test_main_job_end_to_end(app, org, runner):
    bank_path = shared_path("corpus", "public", "csv", "luat-dau-thau_390-cau-hoi.xlsx")
    editor = Session(app, "editor")

    # 2. The bank editor creates a bank and imports the real 390-question XLSX bank.
    assert editor.post("/bank/new", data={"code": "LDT", "name": "Luật Đấu thầu", "field": "Đấu thầu",
                                          "agency": org["P"].id}).status_code == 302
    bank = db.session.scalars(select(QuestionBank).where(QuestionBank.code == "LDT")).one()
    response = editor.post(f"/bank/{bank.id}/import", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(bank_path.read_bytes()), bank_path.name)})
    assert response.status_code == 200
    assert db.session.scalar(select(db.func.count()).select_from(Question).where(Question.bank_id == bank.id)) == 390
    # Imports land as drafts; a second person, the reviewer, approves them (DECISIONS.md 15).
    assert Session(app, "reviewer").post(f"/bank/{bank.id}/approve-all").status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(Question).where(
        Question.bank_id == bank.id, Question.status == "approved")) == 390
    contracts = db.session.scalars(select(Category).where(Category.bank_id == bank.id,
                                                          Category.name == "Hợp đồng")).one()
    page = editor.get(f"/bank/{bank.id}?category={contracts.id}&q=hop+dong")   # accent-insensitive search
    assert page.status_code == 200

    # 3. The exam admin builds the test: 4 questions of "Hợp đồng", 2.5 marks each (max 10).
    now = utcnow()
    local = lambda dt: (dt + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")   # Asia/Ho_Chi_Minh
    response = editor.post(f"/exam/admin/new?bank={bank.id}", data={
        "code": "SH2026", "title": "Sát hạch 2026", "year": 2026, "agency": org["P"].id,
        "duration_minutes": 60, "pass_percent": 50, "window_start": local(now - timedelta(hours=1)),
        "window_end": local(now + timedelta(days=2)), "shuffle_questions": "y", "shuffle_answers": "y",
        "audience_agencies": [org["D1"].id], "rules-0-category": contracts.id, "rules-0-count": 4,
        "rules-0-mark": "2.5"})
    assert response.status_code == 302, response.data[:1000]
    exam = db.session.scalars(select(Exam).where(Exam.code == "SH2026")).one()
    assert (exam.question_count, exam.max_score) == (4, 10)
    assert editor.post(f"/exam/admin/{exam.id}/open").status_code == 302
    db.session.refresh(exam)
    assert exam.state.value == "open"

    # 4. Examinees sit it: all right, 1 of 4, exactly half, 3 of 4 then never submits, the leader 3 of 4.
    a1 = _sit(app, "s1", exam.id, 4)
    a2 = _sit(app, "s2", exam.id, 1)
    a3 = _sit(app, "s3", exam.id, 2)
    a4 = _sit(app, "s4", exam.id, 3, submit=False)
    al = _sit(app, "lead", exam.id, 3)
    a4.deadline = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert "closed 1 overdue" in runner.invoke(args=["exam", "close-overdue"]).output
    for attempt in (a1, a2, a3, a4, al):
        db.session.refresh(attempt)
    assert [(a.score, a.passed) for a in (a1, a2, a3, a4, al)] == [
        (10, True), (Fraction(5, 2), False), (5, True), (Fraction(15, 2), True), (Fraction(15, 2), True)]
    assert a4.state == AttemptState.TIMED_OUT and a1.state == AttemptState.SUBMITTED
    assert b"10" in Session(app, "s1").get(f"/exam/attempt/{a1.id}/result").data

    # 5. Tasks: the leader assigns, people sign and report with evidence, the leader verifies.
    lead, chair = Session(app, "lead"), Session(app, "chair")
    tasks = {
        "s1": [_task(lead, org["s1"], "T-s1", "4")],
        "s2": [_task(lead, org["s2"], "T-s2", "4")],
        "s3": [_task(lead, org["s3"], "T-s3", "4")],          # never delivered
        "s4": [_task(lead, org["s4"], "T-s4a", "2", "2"), _task(lead, org["s4"], "T-s4b", "4", "0.5")],
        "s5": [_task(lead, org["s5"], "T-s5", "4")],
        **{f"s{i}": [_task(lead, org[f"s{i}"], f"T-s{i}", "4")] for i in (6, 7, 8)},
        "lead": [_task(chair, org["lead"], "T-lead", "1")],
    }
    assert Session(app, "s1").post("/tasks/commit/2026").status_code == 302
    _report_and_verify(app, lead, tasks["s1"][0], "s1", "4")
    _report_and_verify(app, lead, tasks["s2"][0], "s2", "4")
    _report_and_verify(app, lead, tasks["s4"][0], "s4", "2", quality=False)   # one failed quality review
    _report_and_verify(app, lead, tasks["s4"][1], "s4", "4", on_time=False)   # one delay
    _report_and_verify(app, lead, tasks["s5"][0], "s5", "2")
    for i in (6, 7, 8):
        _report_and_verify(app, lead, tasks[f"s{i}"][0], f"s{i}", "3")
    _report_and_verify(app, chair, tasks["lead"][0], "lead", "1")

    # General-criteria points for 2026-Q1, set by the supervisor (DECISIONS.md 4).
    for name in ("s1", "s2", "s4", "s6", "s7", "s8"):
        _general(lead, org[name], FULL)
    for name in ("s3", "s5"):
        _general(lead, org[name], S3_S5)
    _general(chair, org["lead"], FULL, leader_pct=(90, 80))

    # 6. HR runs the yearly classification of D1.
    hr = Session(app, "hr")
    assert hr.post(f"/rating/run/{org['D1'].id}/2026").status_code == 302
    rows = {r.user.username: r for r in db.session.scalars(select(YearlyClassification))}
    expected = {
        # general (II.1 = 2.5 × test) + task points (a+b+c)/3 × 70
        "s1": (Fraction(100), "EXCELLENT", "EXCELLENT"),              # 30 + 70; the one place under the cap
        "s2": (Fraction(785, 8), "EXCELLENT", "GOOD"),                # 27.5 + 0.625 + 70 = 98.125, moved by quota
        "s3": (Fraction(93, 4), "NOT_COMPLETED", "NOT_COMPLETED"),    # 24 − 2 + 1.25 + 0 = 23.25
        # a = 6/6, b = (4·¾ + 2)/6 = 5/6, c = (4 + 2·¾)/6 = 11/12 → 70·(33/12)/3 = 385/6; 27.5 + 1.875
        "s4": (Fraction(235, 8) + Fraction(385, 6), "EXCELLENT", "GOOD"),   # 93.541…, moved by quota
        "s5": (Fraction(24) + 35, "COMPLETED", "COMPLETED"),           # no test yet: II.1 as entered; a=b=c=½
        "s6": (Fraction(30) + Fraction(105, 2), "GOOD", "GOOD"),       # a=b=c=¾ → 52.5
        # leader: a=b=c=1, d=½ (s3 not completed in Q1), đ=0.9, e=0.8 → 70·5.2/6 = 182/3
        "lead": (Fraction(235, 8) + Fraction(182, 3), "EXCELLENT", "GOOD"),   # alone in group "ld": cap 0
    }
    for name, (score, before, level) in expected.items():
        row = rows[name]
        assert (row.score, row.level_before_quota, row.level) == (score, before, level), name
    assert rows["s2"].quota_moved and not rows["s1"].quota_moved
    cited = " ".join(r["vi"] for r in rows["s2"].reasons)
    assert "Điều 20 khoản 5 điểm a Nghị định 335/2025/NĐ-CP" in cited
    assert any("Điều 20 khoản 4" in r["vi"] or "khoản 4" in r["vi"] for r in rows["s3"].reasons) or \
        rows["s3"].score < 50

    # The list as XLSX, readable with the same levels.
    response = hr.get(f"/rating/results/{org['D1'].id}/2026.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    by_name = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert by_name["S1"][8] == "Hoàn thành xuất sắc nhiệm vụ"
    assert by_name["S2"][7] == "Hoàn thành xuất sắc nhiệm vụ" and by_name["S2"][8] == "Hoàn thành tốt nhiệm vụ"

    # An HR officer of another department sees neither the results nor the people of D1.
    other = Session(app, "hr2")
    assert other.get(f"/rating/results/{org['D1'].id}/2026").status_code == 404
    assert other.get(f"/agencies/{org['D1'].id}").status_code == 404
    assert other.post(f"/rating/run/{org['D1'].id}/2026").status_code == 404

    # The "cap" rule instead: a failed test caps at COMPLETED and II.1 stays as entered.
    assert hr.post("/rating/settings/2026", data={"test_rule": "cap", "test_weight": "2.5",
                                                  "quota_denominator": "good_only"}).status_code == 302
    hr.post(f"/rating/run/{org['D1'].id}/2026")
    db.session.expire_all()
    rows = {r.user.username: r for r in db.session.scalars(select(YearlyClassification))}
    assert (rows["s2"].score, rows["s2"].level_before_quota) == (100, "COMPLETED")   # failed test → cap
    # GOOD or better now: s1 (100), s4 (30 + 385/6), s6–s8 → N = 5, cap ⌊5/6⌋ = 0
    assert (rows["s1"].level, rows["s4"].level) == ("GOOD", "GOOD")
    assert rows["s4"].score == 30 + Fraction(385, 6)
