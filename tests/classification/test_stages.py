"""Self-assessment → supervisor's review before the proposal, the quarter's approve/lock,
and the year's own assessment of Decree 90/2020 Mẫu số 02 (classification/stages.py)."""
from datetime import date
from fractions import Fraction

import pytest
from sqlalchemy import select

from accounts.models import AuditLog
from classification import quarters, services, stages, workflow
from classification.models import ClassificationState as S
from classification.models import GeneralAssessment, YearlyAssessment
from extensions import db
from performance.models import Task
from tests import factories as f
from tests.classification.conftest import FULL, scored


def login(app, username):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": f.PASSWORD}).status_code == 302
    return client


def _sheet(user, period):
    db.session.expire_all()
    return db.session.scalars(select(GeneralAssessment).where(GeneralAssessment.user_id == user.id,
                                                              GeneralAssessment.period == period)).first()


def _points(values: dict) -> dict:
    return {f"c_{k.replace('.', '_')}": str(float(Fraction(v))) for k, v in values.items()}


def test_progress_counts_and_propose_needs_a_reason_while_reviews_are_missing(app, unit):
    p0, p1, p2 = unit["make"]([100, 90, 80])
    # p1 has a Q2 task and has scored herself; p2 has a Q2 task and nothing else
    for person in (p1, p2):
        db.session.add(Task(year=2026, period="2026-Q2", assigner_id=unit["hr"].id, assignee_id=person.id,
                            title="T2", target=Fraction(1), deadline=date(2026, 6, 30)))
    db.session.add(GeneralAssessment(user_id=p1.id, period="2026-Q2", self_points=FULL))
    db.session.commit()
    by_period = {s.period: s for s in stages.progress(unit["U"], 2026)}
    assert set(by_period) == {"2026-Q1", "2026-Q2"}            # Q3, Q4: nothing due for anyone
    q1, q2 = by_period["2026-Q1"], by_period["2026-Q2"]
    assert (q1.total, q1.self_done, q1.reviewed, q1.complete) == (3, 3, 3, True)
    assert (q2.total, q2.self_done, q2.reviewed) == (2, 1, 0)
    assert [p.username for p in q2.self_missing] == ["p2"]
    assert [p.username for p in q2.review_missing] == ["p1", "p2"]

    hr = login(app, "hr")
    hr.post(f"/rating/run/{unit['U'].id}/2026")
    page = hr.get(f"/rating/results/{unit['U'].id}/2026").get_data(as_text=True)
    assert 'data-period="2026-Q2" data-self="1/2" data-reviewed="0/2"' in page
    assert 'id="propose-waiver"' in page and "P1, P2" in page
    # refused without a reason
    response = hr.post(f"/rating/propose/{unit['U'].id}/2026", data={"reason": ""}, follow_redirects=True)
    assert "Còn thiếu 2 nhận xét của cấp trên" in response.get_data(as_text=True)   # "2 reviews … missing"
    assert workflow.state_of(unit["U"], 2026) == S.DRAFT
    # with a reason: proposed, and the reason and who is missing are audited
    hr.post(f"/rating/propose/{unit['U'].id}/2026", data={"reason": "Hạn 15/12: hai phiếu quý II chưa có"})
    db.session.expire_all()
    wf = workflow.workflow(unit["U"], 2026)
    assert wf.state == S.PROPOSED and wf.review_waiver == "Hạn 15/12: hai phiếu quý II chưa có"
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "rating.propose")).one()
    assert entry.reason == "Hạn 15/12: hai phiếu quý II chưa có"
    assert entry.after["missing_reviews"] == ["2026-Q2 P1", "2026-Q2 P2"]


def test_a_complete_unit_proposes_without_a_reason(app, unit):
    unit["make"]([95, 85])
    services.run_rating(unit["U"], 2026, unit["hr"])
    workflow.propose(unit["U"], 2026, unit["hr"])
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "rating.propose")).one()
    assert entry.reason == "" and "missing_reviews" not in entry.after


def test_own_points_close_once_the_supervisor_has_reviewed(app, unit):
    person = f.user("solo", unit["U"])
    db.session.commit()
    own = login(app, "solo")
    mine = {**FULL, "III.4": "2"}
    assert own.post(f"/rating/general/{person.id}/2026-Q3", data=_points(mine)).status_code == 302
    assert _sheet(person, "2026-Q3").self_points["III.4"] == "2"
    head = login(app, "head")               # head of U: a supervisor of its people
    final = {**FULL, "III.4": "1"}
    assert head.post(f"/rating/general/{person.id}/2026-Q3", data=_points(final)).status_code == 302
    assert _sheet(person, "2026-Q3").final_points["III.4"] == "1"
    # reviewed: the person can no longer change their own points
    own.post(f"/rating/general/{person.id}/2026-Q3", data=_points(FULL))
    assert _sheet(person, "2026-Q3").self_points["III.4"] == "2"
    assert 'id="closed"' in own.get(f"/rating/general/{person.id}/2026-Q3").get_data(as_text=True)


def test_quarter_approve_locks_its_points_and_keeps_a_snapshot(app, unit):
    p0, p1 = unit["make"]([Fraction(193, 2), 80])      # Q1 scores 96.5 and 80
    hr, head = login(app, "hr"), login(app, "head")
    q1 = f"/rating/quarter/{unit['U'].id}/2026-Q1"
    head.post(q1 + "/approve")                         # no run yet: refused
    assert quarters.approval(unit["U"], "2026-Q1") is None        # rolled back
    hr.post(f"/rating/run/{unit['U'].id}/2026")
    assert head.post(q1 + "/approve").status_code == 302
    db.session.expire_all()
    approval = quarters.approval(unit["U"], "2026-Q1")
    assert approval.approved and approval.snapshot[str(p0.id)] == {
        "score": "193/2", "level": "EXCELLENT", "general": "53/2", "task": "70"}
    assert approval.snapshot[str(p1.id)]["level"] == "GOOD"
    page = head.get(q1).get_data(as_text=True)
    assert 'data-state="approved"' in page and "96,50" in page
    # locked: the supervisor's points of Q1 cannot change
    before = _sheet(p1, "2026-Q1").final_points
    head.post(f"/rating/general/{p1.id}/2026-Q1", data=_points(FULL))
    assert _sheet(p1, "2026-Q1").final_points == before
    # reopen: HR only, with a reason, audited
    assert head.post(q1 + "/reopen", data={"reason": "x"}).status_code == 403
    hr.post(q1 + "/reopen", data={"reason": ""})
    db.session.expire_all()
    assert quarters.approval(unit["U"], "2026-Q1").approved
    hr.post(q1 + "/reopen", data={"reason": "Sửa điểm quý I"})
    db.session.expire_all()
    assert not quarters.approval(unit["U"], "2026-Q1").approved
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "rating.quarter_reopen")).one()
    assert entry.reason == "Sửa điểm quý I" and entry.before["snapshot"][str(p0.id)]["score"] == "193/2"
    head.post(f"/rating/general/{p1.id}/2026-Q1", data=_points(FULL))
    assert _sheet(p1, "2026-Q1").final_points == FULL


def test_quarter_approval_needs_every_review(app, unit):
    p0, = unit["make"]([90])
    db.session.add(GeneralAssessment(user_id=p0.id, period="2026-Q2", self_points=FULL))
    db.session.commit()
    services.run_rating(unit["U"], 2026, unit["hr"])
    with pytest.raises(workflow.WorkflowError, match="P0"):
        quarters.approve(unit["U"], "2026-Q2", unit["head"])
    quarters.approve(unit["U"], "2026-Q1", unit["head"])      # Q1 is complete


def test_yearly_form_under_decree_90(app, unit):
    """Rating year 2025 (nd90): the person assesses the year on Mẫu số 02, the supervisor
    reviews it; the stage counts it, and the person's part closes after the review."""
    person = f.user("cv", unit["U"], leader=False)
    scored(person, unit["hr"], Fraction(90), year=2025)
    db.session.commit()
    assert stages.uses_yearly_form(person, 2025) and not stages.uses_yearly_form(person, 2026)
    year_stage, = stages.progress(unit["U"], 2025)
    assert (year_stage.period, year_stage.total, year_stage.self_done, year_stage.reviewed) == ("year", 1, 0, 0)

    own = login(app, "cv")
    data = {"item_1": "Lập trường vững vàng", "item_5": "Hoàn thành 100% nhiệm vụ", "self_comment": "Ưu: chủ động",
            "self_level": "GOOD"}
    assert own.post("/rating/self/2025", data=data).status_code == 302
    head = login(app, "head")
    assert head.get(f"/rating/review/{person.id}/2025").status_code == 200
    assert head.post(f"/rating/review/{person.id}/2025",
                     data={"review_comment": "Đồng ý", "review_level": "EXCELLENT"}).status_code == 302
    db.session.expire_all()
    row = db.session.scalars(select(YearlyAssessment)).one()
    assert (row.items["1"], row.self_level, row.review_level, row.reviewed_by_id) == (
        "Lập trường vững vàng", "GOOD", "EXCELLENT", unit["head"].id)
    year_stage, = stages.progress(unit["U"], 2025)
    assert (year_stage.self_done, year_stage.reviewed) == (1, 1)
    own.post("/rating/self/2025", data={**data, "self_level": "EXCELLENT"})
    db.session.expire_all()
    assert db.session.scalars(select(YearlyAssessment)).one().self_level == "GOOD"
    assert [e.action for e in db.session.scalars(select(AuditLog).where(AuditLog.action.in_(
        ("rating.self_assessment", "rating.review"))).order_by(AuditLog.id))] == [
        "rating.self_assessment", "rating.review"]
    # nobody reviews their own year
    assert head.get(f"/rating/review/{unit['head'].id}/2025").status_code == 404
