"""The rating unit's workflow: draft → proposed → council decided → approved and locked,
overrides with reasons, audited reopen, the quota check and the quota exception."""
from fractions import Fraction

import pytest
from sqlalchemy import select

from accounts.models import AuditLog
from classification import services, workflow
from classification.models import ClassificationState as S
from classification.models import RatingWorkflow, YearlyClassification
from extensions import db
from tests import factories as f


class Browser:
    def __init__(self, app, username):
        self.client = app.test_client()
        assert self.client.post("/login", data={"username": username, "password": f.PASSWORD}).status_code == 302

    def post(self, url, **data):
        return self.client.post(url, data=data)


def rows(unit):
    db.session.expire_all()
    return {r.user.username: r for r in db.session.scalars(select(YearlyClassification))
            if r.user.agency_id == unit["U"].id}


def state(unit):
    db.session.expire_all()
    return db.session.scalars(select(RatingWorkflow).where(RatingWorkflow.agency_id == unit["U"].id)).one().state


def url(unit, step):
    return f"/rating/{step}/{unit['U'].id}/2026"


def test_tied_cut_goes_to_the_council_and_through_to_a_locked_rating(app, unit):
    # 7 people at exactly 100: N = 7 → cap ⌊7/6⌋ = 1, all tied at the cut → all to the council
    unit["make"]([100] * 7)
    hr, sec, head = Browser(app, "hr"), Browser(app, "sec"), Browser(app, "head")
    assert hr.post(url(unit, "run")).status_code == 302
    r = rows(unit)
    assert all(x.needs_council and x.level == "EXCELLENT" and x.state == S.DRAFT for x in r.values())
    assert state(unit) == S.DRAFT

    # the council cannot decide before HR proposes
    assert sec.post(f"/rating/decide/{r['p0'].id}", level="EXCELLENT", reason="x").status_code == 200
    assert not rows(unit)["p0"].decided
    assert hr.post(url(unit, "propose")).status_code == 302
    assert state(unit) == S.PROPOSED and all(x.state == S.PROPOSED for x in rows(unit).values())
    # proposed: the engine may not run again
    hr.post(url(unit, "run"))
    assert all(x.state == S.PROPOSED for x in rows(unit).values())

    # a decision on a council case needs a reason
    page = sec.post(f"/rating/decide/{r['p0'].id}", level="EXCELLENT", reason="")
    assert page.status_code == 200 and 'class="error"' in page.get_data(as_text=True)
    assert not rows(unit)["p0"].decided
    assert sec.post(f"/rating/decide/{r['p0'].id}", level="EXCELLENT",
                    reason="Sáng kiến cấp tỉnh").status_code == 302
    for name in ("p1", "p2", "p3", "p4"):
        sec.post(f"/rating/decide/{r[name].id}", level="GOOD", reason="Hội đồng bỏ phiếu")
    # two left undecided: the council cannot close
    sec.post(url(unit, "close"))
    assert state(unit) == S.PROPOSED
    sec.post(f"/rating/decide/{r['p5'].id}", level="GOOD", reason="Hội đồng bỏ phiếu")
    # a second EXCELLENT would break the quota (2 > ⌊7/6⌋): closing is refused
    sec.post(f"/rating/decide/{r['p6'].id}", level="EXCELLENT", reason="Đề nghị của trưởng phòng")
    response = sec.client.post(url(unit, "close"), follow_redirects=True)
    assert "alert-danger" in response.get_data(as_text=True)
    assert state(unit) == S.PROPOSED
    sec.post(f"/rating/decide/{r['p6'].id}", level="GOOD", reason="Hội đồng bỏ phiếu lại")
    assert sec.post(url(unit, "close")).status_code == 302
    assert state(unit) == S.DECIDED

    # the council secretary cannot approve; the head of U can
    assert sec.post(url(unit, "approve")).status_code == 403
    assert head.post(url(unit, "approve")).status_code == 302
    assert state(unit) == S.APPROVED
    final = rows(unit)
    assert [final[f"p{i}"].level for i in range(7)] == ["EXCELLENT"] + ["GOOD"] * 6
    assert all(x.state == S.APPROVED for x in final.values())

    # locked: no run, no decision
    with pytest.raises(workflow.WorkflowError):
        services.run_rating(unit["U"], 2026, unit["hr"])
    db.session.rollback()
    with pytest.raises(workflow.WorkflowError):
        workflow.decide(final["p1"], "EXCELLENT", "x", unit["hr"])
    db.session.rollback()
    hr.post(url(unit, "run"))
    assert rows(unit)["p1"].level == "GOOD"

    # the audit log holds every override with before, after and reason
    decisions = db.session.scalars(select(AuditLog).where(AuditLog.action == "rating.decide")
                                   .order_by(AuditLog.id)).all()
    assert len(decisions) == 8      # p0, p1–p4, p5, p6 twice
    p6 = [d for d in decisions if d.object_id == str(final["p6"].id)]
    assert [(d.before["level"], d.after["level"], d.reason) for d in p6] == [
        ("EXCELLENT", "EXCELLENT", "Đề nghị của trưởng phòng"), ("EXCELLENT", "GOOD", "Hội đồng bỏ phiếu lại")]

    # the results page shows the state and the history
    page = hr.client.get(url(unit, "results")).get_data(as_text=True)
    assert 'data-state="approved"' in page
    for action in ("rating.run", "rating.propose", "rating.decide", "rating.council_closed", "rating.approve"):
        assert f'data-action="{action}"' in page

    # reopen needs a reason; it is audited and unlocks the year for the council
    hr.post(url(unit, "reopen"), reason="")
    assert state(unit) == S.APPROVED
    hr.post(url(unit, "reopen"), reason="Khiếu nại được chấp nhận")
    assert state(unit) == S.PROPOSED
    reopen = db.session.scalars(select(AuditLog).where(AuditLog.action == "rating.reopen")).one()
    assert (reopen.before, reopen.after["state"], reopen.reason) == (
        {"state": "approved"}, "proposed", "Khiếu nại được chấp nhận")
    wf = db.session.scalars(select(RatingWorkflow)).first()
    assert wf.reopened == 1
    # back to draft, then the engine runs again and clears the council's decisions
    hr.post(url(unit, "return"), reason="Sửa số liệu kiểm chứng")
    assert state(unit) == S.DRAFT
    hr.post(url(unit, "run"))
    again = rows(unit)
    assert all(not x.decided and x.needs_council and x.level == "EXCELLENT" for x in again.values())


def test_a_plain_override_needs_a_reason_and_a_confirmation_does_not(app, unit):
    # 7 people: 100, 99, 98, 90, 80, 75, 72 → N = 7, cap 1: 100 kept, 99/98/90 moved to GOOD
    unit["make"]([100, 99, 98, 90, 80, 75, 72])
    services.run_rating(unit["U"], 2026, unit["hr"])
    workflow.propose(unit["U"], 2026, unit["hr"])
    r = rows(unit)
    assert [r[f"p{i}"].level for i in range(7)] == ["EXCELLENT"] + ["GOOD"] * 6
    assert r["p1"].quota_moved and not r["p1"].needs_council
    workflow.decide(r["p4"], "GOOD", "", unit["sec"])                 # confirmation: no reason needed
    with pytest.raises(workflow.WorkflowError):
        workflow.decide(r["p6"], "COMPLETED", "  ", unit["sec"])       # an override without a reason
    assert not r["p6"].decided
    workflow.decide(r["p6"], "COMPLETED", "Vi phạm quy chế", unit["sec"])
    assert (r["p6"].level, r["p6"].engine_level, r["p6"].changed_by_council) == ("COMPLETED", "GOOD", True)
    # lowering one more leaves N = 5 at GOOD or better: cap ⌊5/6⌋ = 0, the EXCELLENT no longer fits
    workflow.decide(r["p5"], "COMPLETED", "Vi phạm quy chế", unit["sec"])
    with pytest.raises(workflow.WorkflowError):
        workflow.close_council(unit["U"], 2026, unit["sec"])
    breach, = workflow.quota_breaches(unit["U"], 2026, rows(unit).values(), "good_only")
    assert (breach["n"], breach["excellent"], breach["cap"]) == (5, 1, 0)
    workflow.decide(r["p5"], "GOOD", "Hội đồng xem xét lại", unit["sec"])
    workflow.close_council(unit["U"], 2026, unit["sec"])
    workflow.approve(unit["U"], 2026, unit["head"])
    assert state(unit) == S.APPROVED


def test_forced_levels_cannot_be_changed_by_the_council(app, unit):
    from datetime import date

    from accounts.models import DisciplineForm, DisciplineRecord

    staff = unit["make"]([95, 80])
    db.session.add(DisciplineRecord(user_id=staff[0].id, form=DisciplineForm.REPRIMAND,
                                    decided_on=date(2026, 5, 4), connected_with_duties=True))
    db.session.commit()
    services.run_rating(unit["U"], 2026, unit["hr"])
    workflow.propose(unit["U"], 2026, unit["hr"])
    forced = rows(unit)["p0"]
    assert forced.level == "NOT_COMPLETED"                       # Decree 335 Art. 20 cl. 4(c)
    with pytest.raises(workflow.WorkflowError):
        workflow.decide(forced, "GOOD", "Thành tích tốt", unit["sec"])
    assert forced.level == "NOT_COMPLETED" and not forced.decided
    workflow.decide(forced, "NOT_COMPLETED", "", unit["sec"])     # confirming is fine


@pytest.mark.parametrize("ceiling, kept", [("25", 2), ("22", 1)])
def test_quota_exception_with_its_ceiling(app, unit, ceiling, kept):
    # 10 EXCELLENT scores 100, 99.75 … 97.75: N = 10; normal cap ⌊10/6⌋ = 1;
    # exception 25%: E ≤ (N − E)/4 → ⌊10/5⌋ = 2; 22%: E ≤ 0.22·10/1.22 = 1.8 → 1
    unit["make"]([100 - Fraction(i, 4) for i in range(10)])
    hr = Browser(app, "hr")
    hr.post(url(unit, "run"))
    assert sum(x.level == "EXCELLENT" for x in rows(unit).values()) == 1
    response = hr.post(url(unit, "exception"), ceiling=ceiling, reference="QĐ 12/QĐ-UBND", decided_on="2026-11-20")
    assert response.status_code == 302
    hr.post(url(unit, "run"))
    r = rows(unit)
    assert sorted(n for n, x in r.items() if x.level == "EXCELLENT") == [f"p{i}" for i in range(kept)]
    cited = " ".join(x["vi"] for x in r["p0"].reasons)
    assert "Điều 20 khoản 5 điểm b Nghị định 335/2025/NĐ-CP" in cited
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "rating.quota_exception")).one()
    assert (entry.after["ceiling"], entry.reason) == (str(Fraction(int(ceiling), 100)), "QĐ 12/QĐ-UBND")
    # the approval's quota check uses the same ceiling
    workflow.propose(unit["U"], 2026, unit["hr"])
    workflow.close_council(unit["U"], 2026, unit["sec"])
    # outside draft the exception cannot change
    with pytest.raises(workflow.WorkflowError):
        workflow.record_quota_exception(unit["U"], 2026, unit["hr"], ceiling=Fraction(1, 4), reference="x",
                                        decided_on=date_(2026, 11, 1))


def date_(*args):
    from datetime import date
    return date(*args)


def test_exception_ceiling_must_be_above_20_and_at_most_25_percent(app, unit):
    for bad in (Fraction(1, 5), Fraction(26, 100)):
        with pytest.raises(workflow.WorkflowError):
            workflow.record_quota_exception(unit["U"], 2026, unit["hr"], ceiling=bad, reference="x",
                                            decided_on=date_(2026, 11, 1))


def test_only_reachable_units_and_roles(app, unit):
    unit["make"]([90])
    other = Browser(app, "outsider")
    for step in ("run", "propose", "reopen", "exception"):
        assert other.post(url(unit, step), reason="x").status_code == 404, step
    assert other.client.get(url(unit, "results")).status_code == 404
    services.run_rating(unit["U"], 2026, unit["hr"])
    db.session.commit()
    row = rows(unit)["p0"]
    assert other.client.get(f"/rating/decide/{row.id}").status_code == 404      # HR of V, not of U
    assert Browser(app, "head").post(url(unit, "propose")).status_code == 403   # heads approve, HR proposes
