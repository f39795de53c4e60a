"""Publication and complaints (DECISIONS.md 25): before the publication time a person sees
nothing of their level; after it they may complain within ``complaint_days``; the council
secretary's answer is audited, and an upheld complaint changes the level through the
council decision path (reopen → decision)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts.models import AuditLog
from classification import complaints, services, workflow
from classification.models import ClassificationState as S
from classification.models import ComplaintStatus, RatingComplaint, RatingSettings, YearlyClassification
from db_types import utcnow
from extensions import db
from tests import factories as f

pytestmark = pytest.mark.usefixtures("english")   # messages compared in English


def login(app, username):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": f.PASSWORD}).status_code == 302
    return client


@pytest.fixture
def approved(app, unit):
    """U approved: 100, 85, 72 → p0 EXCELLENT (cap ⌊3/6⌋ = 0 → moved to GOOD), p1, p2 GOOD."""
    staff = unit["make"]([100, 85, 72])
    services.run_rating(unit["U"], 2026, unit["hr"])
    workflow.propose(unit["U"], 2026, unit["hr"])
    workflow.close_council(unit["U"], 2026, unit["sec"])
    workflow.approve(unit["U"], 2026, unit["head"])
    db.session.commit()
    return staff


def _row(person):
    db.session.expire_all()
    return db.session.scalars(select(YearlyClassification).where(YearlyClassification.user_id == person.id)).one()


def test_nothing_of_the_level_before_publication(app, unit, approved):
    p2 = approved[2]
    assert _row(p2).level == "GOOD"
    own = login(app, "p2")
    page = own.get("/rating/mine?year=2026").get_data(as_text=True)
    assert 'id="not-published"' in page and 'id="my-level"' not in page and "Completing tasks well" not in page
    # the own PDF copy carries no result either (HTML of the same sheet)
    from classification import sheets
    with app.test_request_context():
        hidden = sheets.render_html(p2, 2026, hide_results=True)
        shown = sheets.render_html(p2, 2026)
    assert "Hoàn thành tốt nhiệm vụ" not in hidden and "Điểm bình quân" not in hidden
    assert "Hoàn thành tốt nhiệm vụ" in shown
    # the complaint is refused before publication
    own.post("/rating/mine/2026/complaint", data={"text": "Xin xem lại"})
    assert db.session.scalars(select(RatingComplaint)).first() is None

    hr = login(app, "hr")
    # a publication time in the future: still nothing
    later = (utcnow() + timedelta(days=2) + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")
    assert hr.post(f"/rating/publish/{unit['U'].id}/2026", data={"published_at": later}).status_code == 302
    assert 'id="not-published"' in own.get("/rating/mine?year=2026").get_data(as_text=True)
    # moved to a minute ago (local time = UTC + 7): published
    now = (utcnow() - timedelta(minutes=1) + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")
    hr.post(f"/rating/publish/{unit['U'].id}/2026", data={"published_at": now})
    page = own.get("/rating/mine?year=2026").get_data(as_text=True)
    assert 'data-level="GOOD"' in page and 'id="complaint-form"' in page
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "rating.publish")
                                 .order_by(AuditLog.id)).all()
    assert len(entries) == 2 and entries[1].before["published_at"] == entries[0].after["published_at"]
    # once the time has come it cannot be moved
    hr.post(f"/rating/publish/{unit['U'].id}/2026", data={"published_at": later})
    db.session.expire_all()
    assert workflow.is_published(workflow.workflow(unit["U"], 2026))


def _publish(unit, ago: timedelta):
    wf = workflow.workflow(unit["U"], 2026)
    wf.published_at = utcnow() - ago
    db.session.commit()


def test_complaint_upheld_goes_through_the_council_path(app, unit, approved):
    p0 = approved[0]
    assert (_row(p0).level, _row(p0).quota_moved) == ("GOOD", True)
    _publish(unit, timedelta(days=3))
    own = login(app, "p0")
    assert own.post("/rating/mine/2026/complaint", data={"text": "Tôi đạt 100 điểm"}).status_code == 302
    item = db.session.scalars(select(RatingComplaint)).one()
    assert (item.status, item.level_complained) == (ComplaintStatus.OPEN, "GOOD")
    # a second complaint while one is open is refused
    own.post("/rating/mine/2026/complaint", data={"text": "Lần hai"})
    assert len(db.session.scalars(select(RatingComplaint)).all()) == 1

    sec = login(app, "sec")
    page = sec.get(f"/rating/complaints/{item.classification_id}").get_data(as_text=True)
    assert "Tôi đạt 100 điểm" in page
    # upheld without a new level: refused, nothing changes
    sec.post(f"/rating/complaints/{item.classification_id}", data={"outcome": "upheld", "answer": "Đúng"})
    db.session.expire_all()
    assert item.status == ComplaintStatus.OPEN and workflow.state_of(unit["U"], 2026) == S.APPROVED
    # upheld with COMPLETED (lowering keeps the quota: no EXCELLENT at all)
    sec.post(f"/rating/complaints/{item.classification_id}",
             data={"outcome": "upheld", "new_level": "COMPLETED", "answer": "Hội đồng xét lại: chậm tiến độ"})
    db.session.expire_all()
    item = db.session.get(RatingComplaint, item.id)
    assert (item.status, item.new_level, _row(p0).level) == (ComplaintStatus.UPHELD, "COMPLETED", "COMPLETED")
    assert workflow.state_of(unit["U"], 2026) == S.PROPOSED          # reopened for the council
    actions = [e.action for e in db.session.scalars(select(AuditLog).where(AuditLog.action.in_(
        ("rating.complaint", "rating.reopen", "rating.decide", "rating.complaint_upheld"))).order_by(AuditLog.id))]
    assert actions == ["rating.complaint", "rating.reopen", "rating.decide", "rating.complaint_upheld"]
    decide = db.session.scalars(select(AuditLog).where(AuditLog.action == "rating.decide")).one()
    assert (decide.before["level"], decide.after["level"]) == ("GOOD", "COMPLETED")
    assert "Hội đồng xét lại" in decide.reason
    # the person sees the new level, marked as under reconsideration until approved again
    page = own.get("/rating/mine?year=2026").get_data(as_text=True)
    assert 'data-level="COMPLETED"' in page and "reconsidering" in page
    workflow.close_council(unit["U"], 2026, unit["sec"])
    workflow.approve(unit["U"], 2026, unit["head"])
    db.session.commit()
    assert "reconsidering" not in own.get("/rating/mine?year=2026").get_data(as_text=True)


def test_complaint_rejected_and_the_window(app, unit, approved):
    p1, p2 = approved[1], approved[2]
    db.session.add(RatingSettings(year=2026, complaint_days=10))
    db.session.commit()
    _publish(unit, timedelta(days=9, hours=23))
    assert complaints.open_for(_row(p1))
    item = complaints.file(_row(p1), "Xin xem lại", p1)
    complaints.answer(item, "rejected", "Đúng quy định", unit["sec"])
    db.session.commit()
    assert (item.status, _row(p1).level, workflow.state_of(unit["U"], 2026)) == (
        ComplaintStatus.REJECTED, "GOOD", S.APPROVED)
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "rating.complaint_rejected")).one()
    assert entry.reason == "Đúng quy định" and entry.after["level"] == "GOOD"
    with pytest.raises(workflow.WorkflowError):
        complaints.answer(item, "rejected", "lần hai", unit["sec"])
    # someone else's rating: refused; after the 10 days: refused
    with pytest.raises(workflow.WorkflowError):
        complaints.file(_row(p2), "x", p1)
    _publish(unit, timedelta(days=10, minutes=1))
    assert not complaints.open_for(_row(p2))
    with pytest.raises(workflow.WorkflowError, match="ended"):
        complaints.file(_row(p2), "Xin xem lại", p2)


def test_only_the_council_of_the_unit_answers(app, unit, approved):
    _publish(unit, timedelta(days=1))
    item = complaints.file(_row(approved[2]), "Xin xem lại", approved[2])
    db.session.commit()
    assert login(app, "outsider").get(f"/rating/complaints/{item.classification_id}").status_code == 404
    assert login(app, "p1").get(f"/rating/complaints/{item.classification_id}").status_code == 403


def test_the_complaint_period_is_a_setting_of_the_year(app, unit):
    hr = login(app, "hr")
    assert complaints.complaint_days(2026) == 15                       # default, a local setting
    hr.post("/rating/settings/2026", data={"test_rule": "general_criteria", "test_weight": "2.5",
                                           "quota_denominator": "good_only", "complaint_days": "30"})
    assert complaints.complaint_days(2026) == 30
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "rating.settings")).one()
    assert (entry.before["complaint_days"], entry.after["complaint_days"]) == (15, 30)
    hr.post("/rating/settings/2026", data={"test_rule": "general_criteria", "test_weight": "2.5",
                                           "quota_denominator": "good_only", "complaint_days": "0"})
    db.session.expire_all()
    assert complaints.complaint_days(2026) == 30                       # 1 to 90 days
