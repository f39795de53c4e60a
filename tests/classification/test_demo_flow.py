"""The issue's "done when": in the browser, the demo province's 2026 rating goes through to
approved and locked, with a council override, and the reward list follows."""
import io

import openpyxl
from sqlalchemy import select

from accounts.models import Agency, AuditLog, User
from classification.models import ClassificationState, YearlyClassification


def _id(model, **kw):
    from extensions import db
    return db.session.scalars(select(model).filter_by(**kw)).one().id


def test_demo_rating_to_approved_locked_and_rewards(demo, auth, client):
    from extensions import db

    snv, root = _id(Agency, code="SNV"), _id(Agency, code="PT")
    auth.login("nhansu")            # HR officer and council secretary of the province (demo data)
    assert client.get(f"/rating/results/{root}/2026").status_code == 200
    assert client.post(f"/rating/run/{snv}/2026").status_code == 302
    assert client.post(f"/rating/propose/{snv}/2026").status_code == 302
    # the council keeps cv.tcbm1 (98.75, moved by the quota: cap ⌊6/6⌋ = 1) at GOOD and lowers
    # the head of division tp.tcbm (88.5, GOOD; group "lanh-dao": 4 at GOOD, none EXCELLENT) to
    # COMPLETED: an override, with its reason.  (Lowering a specialist would leave 5 at GOOD or
    # better in "chuyen-vien", cap 0, and the council could not close with nganhang EXCELLENT.)
    tcbm1 = db.session.scalars(select(YearlyClassification).join(User, YearlyClassification.user_id == User.id)
                               .where(User.username == "cv.tcbm1")).one()
    tcbm = db.session.scalars(select(YearlyClassification).join(User, YearlyClassification.user_id == User.id)
                                 .where(User.username == "tp.tcbm")).one()
    assert (tcbm1.level_before_quota, tcbm1.level, tcbm.level) == ("EXCELLENT", "GOOD", "GOOD")
    assert client.get(f"/rating/decide/{tcbm1.id}").status_code == 200
    client.post(f"/rating/decide/{tcbm1.id}", data={"level": "GOOD", "reason": ""})
    client.post(f"/rating/decide/{tcbm.id}", data={"level": "COMPLETED", "reason": "Chậm tiến độ quý IV"})
    assert client.post(f"/rating/close/{snv}/2026").status_code == 302
    assert client.post(f"/rating/approve/{snv}/2026").status_code == 302
    db.session.expire_all()
    rows = db.session.scalars(select(YearlyClassification).join(User, YearlyClassification.user_id == User.id)
                              .join(User.agency).where(Agency.path.startswith(f"/{root}/{snv}/"))).all()
    assert len(rows) == 10 and all(r.state == ClassificationState.APPROVED for r in rows)
    assert db.session.get(YearlyClassification, tcbm.id).level == "COMPLETED"
    override = db.session.scalars(select(AuditLog).where(AuditLog.action == "rating.decide",
                                                         AuditLog.object_id == str(tcbm.id))).one()
    assert (override.before["level"], override.after["level"], override.reason) == (
        "GOOD", "COMPLETED", "Chậm tiến độ quý IV")

    # locked: the run from the province root leaves SNV as it is and rates the others
    client.post(f"/rating/run/{root}/2026")
    db.session.expire_all()
    assert db.session.get(YearlyClassification, tcbm.id).level == "COMPLETED"
    page = client.get(f"/rating/results/{snv}/2026").get_data(as_text=True)
    assert 'data-state="approved"' in page and "Chậm tiến độ quý IV" in page

    rewards = client.get(f"/rating/rewards/{snv}/2026")
    assert rewards.status_code == 200 and 'id="provisional"' not in rewards.get_data(as_text=True)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/rating/rewards/{snv}/2026.xlsx").data)).active
    titled = {r[1]: r[4] for r in sheet.iter_rows(min_row=2, values_only=True)}
    # "Lao động tiên tiến" for GOOD or better: everyone of SNV but tp.tcbm (COMPLETED by the council)
    assert len(titled) == 10 and [n for n, t in titled.items() if not t] == ["Đặng Thu Hà"]


def test_heads_of_agency_are_assessed_by_the_level_above(demo):
    """Nobody assesses themself: a division head by their director, a director (or a ward
    chair) with nobody above in the tree by the province's HR officer (nhansu)."""
    from extensions import db
    from classification.models import GeneralAssessment
    from performance.models import Task

    def name(uid):
        return db.session.get(User, uid).username

    def of(username):
        uid = _id(User, username=username)
        points = db.session.scalars(select(GeneralAssessment).where(GeneralAssessment.user_id == uid)).all()
        tasks = db.session.scalars(select(Task).where(Task.assignee_id == uid)).all()
        verifiers = {r.verification.verifier_id for t in tasks for r in t.reports if r.verification}
        return ({name(p.assessed_by_id) for p in points}, {name(t.assigner_id) for t in tasks},
                {name(v) for v in verifiers})

    for head in ("giamdoc.snv", "giamdoc.stc", "giamdoc.stp", "chutich.pvt"):
        assert of(head) == ({"nhansu"}, {"nhansu"}, {"nhansu"}), head
    assert of("tp.ns") == ({"giamdoc.stc"}, {"giamdoc.stc"}, {"giamdoc.stc"})
    assert of("cv.ns1")[0] == {"tp.ns"}
