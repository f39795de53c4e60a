"""The catalogue of standard products per job position, and changes of a signed
commitment: approved by the supervisor and versioned."""
from fractions import Fraction

from sqlalchemy import select

from accounts.models import AuditLog
from extensions import db
from performance import changes, services
from performance.models import CatalogueItem, ChangeState, Commitment, Task

TASK = {"year": 2026, "quarter": "Q2", "target": "4", "factor": "1", "weight": "1", "deadline": "2026-06-30"}


def _catalogue(client, org, **kw):
    data = {"agency": org["D"].id, "position": "Chuyên viên", "code": "VB-01", "title": "Văn bản tham mưu",
            "indicator": "Văn bản được ban hành", "unit_of_measure": "văn bản", "factor": "1.5", **kw}
    return client.post("/tasks/catalogue", data=data)


def test_assign_from_the_catalogue_of_the_job_position(org, login):
    boss = login("boss")
    assert _catalogue(boss, org).status_code == 302
    assert _catalogue(boss, org).status_code == 200                    # the same code twice is refused
    item = db.session.scalars(select(CatalogueItem)).one()
    assert (item.factor, item.position) == (Fraction(3, 2), "Chuyên viên")
    # a's position matches: the task takes the product's title, unit and factor (typed ones are ignored)
    response = boss.post("/tasks/assign", data={**TASK, "assignee": org["a"].id, "catalogue": item.id,
                                                "title": "", "factor": "9"})
    assert response.status_code == 302
    task = db.session.scalars(select(Task)).one()
    assert (task.title, task.unit_of_measure, task.factor, task.catalogue_item_id) == (
        "Văn bản tham mưu", "văn bản", Fraction(3, 2), item.id)
    # b is "Kế toán viên": not offered, refused
    page = boss.post("/tasks/assign", data={**TASK, "assignee": org["b"].id, "catalogue": item.id})
    assert page.status_code == 200 and db.session.scalar(select(db.func.count(Task.id))) == 1
    # the form for b offers only products of b's position (here: none)
    form = boss.get(f"/tasks/assign?assignee={org['b'].id}").get_data(as_text=True)
    assert "VB-01" not in form and "VB-01" in boss.get(f"/tasks/assign?assignee={org['a'].id}").get_data(as_text=True)
    # an ad-hoc task still needs its own title, indicator and unit
    assert boss.post("/tasks/assign", data={**TASK, "assignee": org["b"].id}).status_code == 200
    # a supervisor of another agency sees nothing of D's catalogue and cannot retire it
    eve = login("eve")
    assert "VB-01" not in eve.get("/tasks/catalogue").get_data(as_text=True)
    assert eve.post(f"/tasks/catalogue/{item.id}/retire").status_code == 404
    assert boss.post(f"/tasks/catalogue/{item.id}/retire").status_code == 302
    assert not db.session.get(CatalogueItem, item.id).active


def _signed_task(org, login, title="Báo cáo quý"):
    boss = login("boss")
    boss.post("/tasks/assign", data={**TASK, "assignee": org["a"].id, "title": title, "indicator": "Báo cáo",
                                     "unit_of_measure": "báo cáo"})
    a = login("a")
    assert a.post("/tasks/commit/2026").status_code == 302
    return boss, a, db.session.scalars(select(Task).where(Task.title == title)).one()


def test_a_change_after_signing_is_approved_and_versioned(org, login):
    boss, a, task = _signed_task(org, login)
    first = db.session.scalars(select(Commitment)).one()
    response = a.post(f"/tasks/{task.id}/change", data={"title": task.title, "indicator": "Báo cáo",
                                                        "unit_of_measure": "báo cáo", "target": "3",
                                                        "deadline": "2026-06-30", "reason": "Giảm chỉ tiêu do điều động"})
    assert response.status_code == 302
    change = changes.pending_for(task)
    assert change.proposed == {"target": "3"} and change.before["target"] == "4"
    assert db.session.get(Task, task.id).target == 4                    # nothing applied yet
    assert "Giảm chỉ tiêu" not in login("eve").get("/tasks/team").get_data(as_text=True)
    assert login("eve").get(f"/tasks/change/{change.id}").status_code == 404
    assert boss.post(f"/tasks/change/{change.id}", data={"approve": "yes", "note": "Đồng ý"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, task.id).target == 3
    revisions = db.session.scalars(select(Commitment).order_by(Commitment.revision)).all()
    assert [r.revision for r in revisions] == [1, 2]
    second = revisions[1]
    assert (second.approved_by_id, second.change_id) == (org["boss"].id, change.id)
    assert second.content[0]["target"] == "3" and first.content[0]["target"] == "4"
    assert second.content_hash != first.content_hash
    assert not services.commitment_outdated(org["a"], 2026)
    applied = db.session.scalars(select(AuditLog).where(AuditLog.action == "task.change")).one()
    assert (applied.before["target"], applied.after["target"], applied.reason) == ("4", "3", "Giảm chỉ tiêu do điều động")
    page = a.get("/tasks/?year=2026").get_data(as_text=True)
    assert 'id="revisions"' in page and "Boss" in page


def test_rejection_removal_and_the_rules(org, login):
    boss, a, task = _signed_task(org, login)
    base = {"title": task.title, "indicator": "Báo cáo", "unit_of_measure": "báo cáo", "target": "4",
            "deadline": "2026-06-30", "reason": "Không còn phù hợp"}
    assert a.post(f"/tasks/{task.id}/change", data=base).status_code == 200          # nothing would change
    assert a.post(f"/tasks/{task.id}/change", data={**base, "deadline": "2027-01-10"}).status_code == 200
    a.post(f"/tasks/{task.id}/change", data={**base, "target": "2"})
    assert a.post(f"/tasks/{task.id}/change", data={**base, "target": "1"}).status_code == 200   # one pending
    change = changes.pending_for(task)
    boss.post(f"/tasks/change/{change.id}", data={"approve": "no", "note": "Giữ nguyên"})
    db.session.expire_all()
    assert change.state == ChangeState.REJECTED and db.session.get(Task, task.id).target == 4
    assert db.session.scalar(select(db.func.count(Commitment.id))) == 1
    # removal: approved → the task is gone and revision 2 lists no task
    a.post(f"/tasks/{task.id}/change", data={**base, "remove": "y"})
    change = changes.pending_for(task)
    assert change.remove
    boss.post(f"/tasks/change/{change.id}", data={"approve": "yes"})
    db.session.expire_all()
    assert db.session.get(Task, task.id) is None
    latest = services.latest_commitment(org["a"], 2026)
    assert (latest.revision, latest.content) == (2, [])
    # another person's task, or before signing: refused
    assert a.post(f"/tasks/{task.id}/change", data=base).status_code == 404


def test_a_task_added_after_signing_asks_for_a_new_signature(org, login):
    boss, a, _task = _signed_task(org, login)
    assert not services.commitment_outdated(org["a"], 2026)
    boss.post("/tasks/assign", data={**TASK, "assignee": org["a"].id, "title": "Nhiệm vụ bổ sung",
                                     "indicator": "Kế hoạch", "unit_of_measure": "kế hoạch"})
    assert services.commitment_outdated(org["a"], 2026)
    assert 'id="outdated"' in a.get("/tasks/?year=2026").get_data(as_text=True)
    a.post("/tasks/commit/2026")
    assert not services.commitment_outdated(org["a"], 2026)
