"""Tasks assigned to a unit (its head answers for them) and cascades (a director's task split
into child tasks whose verified products roll up), with the chain of command on evidence."""
from datetime import date
from fractions import Fraction

import pytest
from sqlalchemy import select

from accounts.models import AuditLog
from extensions import db
from performance import changes, queries, services
from performance.models import ProductReport, Task, Verification
from tests import factories as f

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TODAY = date(2026, 5, 1)

pytestmark = pytest.mark.usefixtures("english")   # messages compared in English


@pytest.fixture
def tree(org):
    """D ⊃ D1 (head ``h1``, staff ``c``, ``c2``), D2 (head ``h2``); the province's HR officer
    assigns ``boss`` (head of D) the parent task."""
    d1 = f.agency("D1", org["D"], kind="division")
    d2 = f.agency("D2", org["D"], kind="division")
    org.update(D1=d1, D2=d2,
               h1=f.user("h1", d1, leader=True, roles=[("supervisor", d1)]), c=f.user("c", d1),
               c2=f.user("c2", d1), h2=f.user("h2", d2, leader=True, roles=[("supervisor", d2)]))
    db.session.commit()
    return org


def _parent(org, factor=Fraction(2)):
    task = Task(year=2026, period="2026-Q2", assigner_id=org["hr"].id, assignee_id=org["boss"].id,
                title="Đề án vị trí việc làm", indicator="Đề án", unit_of_measure="đề án", target=Fraction(5),
                factor=factor, deadline=date(2026, 6, 30))
    db.session.add(task)
    db.session.commit()
    return task


CHILD = {"quarter": "Q2", "indicator": "Văn bản", "weight": "1", "deadline": "2026-06-20"}


def _split(client, parent, **data):
    return client.post(f"/tasks/{parent.id}/split", data={**CHILD, "assignee": 0, "unit": 0, **data})


def _verify(task, accepted, by, actual=None):
    report = ProductReport(task=task, actual_value=Fraction(actual if actual is not None else accepted),
                           product="x", delivered_on=date(2026, 4, 20))
    db.session.add(report)
    if by is not None:
        db.session.add(Verification(report=report, verifier_id=by.id, accepted_value=Fraction(accepted),
                                    on_time=True, quality_met=True))
    db.session.commit()


def _status(client, url) -> int:
    response = client.get(url)
    response.close()            # a file response holds the stored file open until closed
    return response.status_code


def test_the_unit_head_answers_for_a_unit_task(tree):
    org = tree
    assert queries.unit_head(org["D1"]).username == "h1"
    deputy = f.user("deputy", org["D1"], leader=True)                      # a later id: h1 stays first
    assert queries.unit_head(org["D1"]).username == "h1"
    chief = f.user("chief", org["D1"], leader=True, roles=[("head", org["D1"])])   # the head role wins
    assert queries.unit_head(org["D1"]).id == chief.id
    assert queries.unit_head(f.agency("D3", org["D"], kind="division")) is None    # no leader, no head
    assert deputy.id < chief.id


def test_assign_to_a_unit_its_head_signs_and_reports_peers_see_nothing(tree, login):
    org = tree
    boss = login("boss")
    base = {"year": 2026, "quarter": "Q2", "target": "3", "factor": "1", "weight": "1", "deadline": "2026-06-30",
            "title": "Số hóa hồ sơ của phòng", "indicator": "Hồ sơ số hóa", "unit_of_measure": "hồ sơ"}
    form = boss.get("/tasks/assign").get_data(as_text=True)
    assert "Agency D1 (head: H1)" in form and "Agency D (head" not in form      # not the assigner's own unit
    assert boss.post("/tasks/assign", data={**base, "assignee": org["a"].id, "unit": org["D1"].id}).status_code == 200
    assert boss.post("/tasks/assign", data={**base, "assignee": 0, "unit": 0}).status_code == 200
    assert boss.post("/tasks/assign", data={**base, "assignee": 0, "unit": org["D1"].id}).status_code == 302
    task = db.session.scalars(select(Task)).one()
    assert (task.unit_id, task.assignee_id, task.assigner_id) == (org["D1"].id, org["h1"].id, org["boss"].id)
    logged = db.session.scalars(select(AuditLog).where(AuditLog.action == "task.assign")).one()
    assert logged.after["assigned_unit"] == "D1"
    assert queries.unit_task_ids(2026) == {task.id}
    assert queries.unit_task_ids(2026, scope=org["D1"]) == {task.id}
    assert not queries.unit_task_ids(2026, scope=org["D2"])
    assert [t.id for t in queries.unit_tasks(org["D1"], 2026)] == [task.id]
    # the head sees it in "my tasks", signs it (the signed content names the unit) and reports it
    h1 = login("h1")
    page = h1.get("/tasks/?year=2026").get_data(as_text=True)
    assert "Số hóa hồ sơ của phòng" in page and "Agency D1 — you answer for it as its head" in page
    assert h1.post("/tasks/commit/2026").status_code == 302
    assert services.latest_commitment(org["h1"], 2026).content[0]["assigned_unit"] == "D1"
    assert h1.post(f"/tasks/{task.id}/report", content_type="multipart/form-data", data={
        "actual_value": "3", "product": "300 hồ sơ", "delivered_on": "2026-06-10",
        "evidence": (__import__("io").BytesIO(PNG), "bien-ban.png")}).status_code == 302
    evidence = db.session.scalars(select(ProductReport)).one().evidence[0]
    # chain of command: the head, the head of D (who verifies it), the province's HR officer
    assert _status(h1, f"/tasks/evidence/{evidence.id}") == 200
    assert _status(boss, f"/tasks/evidence/{evidence.id}") == 200
    assert "Số hóa hồ sơ của phòng" in boss.get("/tasks/team?year=2026").get_data(as_text=True)
    # a colleague of the unit, the head of the sibling unit, a supervisor elsewhere: nothing
    for peer in ("c", "h2", "eve"):
        client = login(peer)
        assert _status(client, f"/tasks/evidence/{evidence.id}") == 404, peer
        assert client.get(f"/tasks/{task.id}").status_code == 404, peer
        assert "Số hóa hồ sơ" not in client.get("/tasks/?year=2026").get_data(as_text=True)
    assert 'data-agency="D1"' in boss.get("/tasks/team?year=2026").get_data(as_text=True)
    rows = {r["agency"].code: r for r in queries.overview(org["boss"], 2026, TODAY)}
    assert (rows["D1"]["tasks"], rows["D1"]["awaiting"], rows["D"]["tasks"]) == (1, 1, 1)


def test_split_roll_up_and_the_tree(tree, login):
    """Parent: 5 "đề án" × factor 2.  Children (standard products = target × factor):
    k1 h1 6 văn bản × 1 = 6, verified 3 → 3;   k2 unit D2 (h2) 2 đề án × 2 = 4, verified 2 → 4;
    k3 c 4 hồ sơ × 1/2 = 2, reported 4 but unverified → 0;   k4 a 1 báo cáo × 1 = 1, nothing, overdue.
    progress = (3 + 4 + 0 + 0) / (6 + 4 + 2 + 1) = 7/13; in the parent's unit 7 / 2 = 7/2 đề án.
    k1 split again by h1: c2 10 × 1, verified 5 → k1's own roll-up 1/2, the parent's unchanged."""
    org = tree
    parent = _parent(org)
    boss = login("boss")
    assert "Split into child tasks" in boss.get(f"/tasks/{parent.id}").get_data(as_text=True)
    assert _split(boss, parent, assignee=org["h1"].id, title="k1", target="6", factor="1",
                  unit_of_measure="văn bản").status_code == 302
    assert _split(boss, parent, unit=org["D2"].id, title="k2", target="2", factor="2",
                  unit_of_measure="đề án").status_code == 302
    assert _split(boss, parent, assignee=org["c"].id, title="k3", target="4", factor="0.5",
                  unit_of_measure="hồ sơ").status_code == 302
    assert _split(boss, parent, assignee=org["a"].id, title="k4", target="1", factor="1", quarter="Q1",
                  deadline="2026-04-15", unit_of_measure="báo cáo").status_code == 302
    k1, k2, k3, k4 = db.session.scalars(select(Task).where(Task.parent_id == parent.id).order_by(Task.id)).all()
    assert (k2.unit_id, k2.assignee_id, k4.period, k3.factor) == (org["D2"].id, org["h2"].id, "2026-Q1", Fraction(1, 2))
    splits = db.session.scalars(select(AuditLog).where(AuditLog.action == "task.split")).all()
    assert len(splits) == 4 and {s.after["parent"] for s in splits} == {parent.id}
    _verify(k1, 3, org["boss"])
    _verify(k2, 2, org["boss"])
    _verify(k3, 0, None, actual=4)
    r = queries.rollup(parent, TODAY)
    assert (r.assigned, r.accepted, r.progress, r.in_parent_units) == (13, 7, Fraction(7, 13), Fraction(7, 2))
    assert (r.children, r.verified, r.overdue) == (4, 2, 1)
    # h1 splits k1 for c2; the grandchild counts in k1's roll-up only
    h1 = login("h1")
    assert _split(h1, k1, assignee=org["c2"].id, title="k1.1", target="10", factor="1",
                  deadline="2026-06-20", unit_of_measure="văn bản").status_code == 302
    grandchild = db.session.scalars(select(Task).where(Task.parent_id == k1.id)).one()
    _verify(grandchild, 5, org["h1"])
    assert queries.rollup(k1, TODAY).progress == Fraction(1, 2)
    assert queries.rollup(parent, TODAY).progress == Fraction(7, 13)
    assert [(t.title, depth) for t, depth in queries.tree(parent)] == [
        ("k1", 1), ("k1.1", 2), ("k2", 1), ("k3", 1), ("k4", 1)]
    page = boss.get(f"/tasks/{parent.id}").get_data(as_text=True)
    assert 'data-progress="7/13"' in page and 'data-progress="1/2"' in page and 'data-depth="2"' in page
    # the child's page shows the chain up; h1 is not in boss's chain, so the parent is not a link
    child_page = h1.get(f"/tasks/{k1.id}").get_data(as_text=True)
    assert 'id="chain"' in child_page and "Đề án vị trí việc làm" in child_page
    assert f'href="/tasks/{parent.id}"' not in child_page
    assert h1.get(f"/tasks/{parent.id}").status_code == 404
    # the supervisor's and the head's views roll up; the overdue child is listed up the chain
    team = boss.get("/tasks/team?year=2026").get_data(as_text=True)
    assert 'id="cascades"' in team and 'data-progress="7/13"' in team
    today = date.today()
    stuck = queries.bottlenecks(org["boss"], 2026, today)
    assert k4 in stuck["overdue"] and stuck["chains"][k4.id] == [parent]
    hr_view = queries.cascades(org["hr"], 2026, today, *queries.OVERVIEW)
    assert [c["task"].id for c in hr_view] == [parent.id] and k4 in hr_view[0]["overdue"]
    overview = login("hr").get("/tasks/overview?year=2026").get_data(as_text=True)
    assert "Holds back:" in overview and 'data-progress="7/13"' in overview
    # the parent's holder sees the children's evidence through the cascade (the ancestor rule)
    assert queries.can_see_task(org["boss"], grandchild) and not queries.can_see_task(org["h2"], grandchild)


def test_split_rules_and_removal(tree, login):
    org = tree
    parent = _parent(org)
    boss = login("boss")
    # a child cannot outlive its parent: a later deadline, a later period
    assert _split(boss, parent, assignee=org["h1"].id, title="late", target="1", factor="1",
                  unit_of_measure="x", deadline="2026-07-01").status_code == 200
    assert _split(boss, parent, assignee=org["h1"].id, title="Q3", target="1", factor="1",
                  unit_of_measure="x", quarter="Q3").status_code == 200
    # only people the splitter supervises are offered; only the assignee splits
    assert _split(boss, parent, assignee=org["eve"].id, title="eve", target="1", factor="1",
                  unit_of_measure="x").status_code == 200
    assert _split(login("h1"), parent, assignee=org["c"].id, title="c", target="1", factor="1",
                  unit_of_measure="x").status_code == 404
    with pytest.raises(services.TaskError):
        services.split_task(parent, org["boss"], assignee=org["eve"], title="eve", indicator="x", unit_of_measure="x",
                            target=1, factor=1, weight=1, quarter="Q2", deadline=date(2026, 6, 1))
    assert db.session.scalar(select(db.func.count(Task.id))) == 1
    child = services.split_task(parent, org["boss"], assignee=org["h1"], title="ok", indicator="x",
                                unit_of_measure="x", target=1, factor=1, weight=1, quarter="Q2",
                                deadline=date(2026, 6, 30))
    db.session.commit()
    # removing a parent with children is refused; deadlines stay nested under changes
    services.sign_commitment(org["boss"], 2026)
    services.sign_commitment(org["h1"], 2026)
    with pytest.raises(changes.ChangeError, match="child tasks cannot be removed"):
        changes.request_change(parent, org["boss"], reason="x", remove=True)
    with pytest.raises(changes.ChangeError, match="child task is due after"):
        changes.request_change(parent, org["boss"], reason="x", deadline=date(2026, 6, 15))
    with pytest.raises(changes.ChangeError, match="cannot outlive"):
        changes.request_change(child, org["h1"], reason="x", deadline=date(2026, 7, 15))
    # the child itself may go (after approval), then the parent may
    change = changes.request_change(child, org["h1"], reason="Không cần nữa", remove=True)
    changes.decide_change(change, org["boss"], True)
    db.session.commit()
    db.session.expire_all()
    assert not db.session.get(Task, parent.id).children
    assert changes.request_change(db.session.get(Task, parent.id), org["boss"], reason="x", remove=True).remove


def _sheet(rows) -> bytes:
    import io

    import openpyxl
    from performance.task_sheets import COLUMNS
    wb = openpyxl.Workbook()
    wb.active.append(list(COLUMNS))
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(stt, username, title, quarter, deadline, unit="", parent=""):
    return [stt, username, "", 2026, quarter, title, "Sản phẩm", "sản phẩm", 2, 1, 1, deadline, "", "", unit, parent]


def test_xlsx_unit_and_parent_columns_row_by_row(tree, login):
    import io

    import openpyxl
    from performance import task_sheets
    org = tree
    parent = _parent(org)
    foreign = Task(year=2026, period="2026-Q2", assigner_id=org["boss"].id, assignee_id=org["a"].id, title="of a",
                   target=Fraction(1), deadline=date(2026, 6, 30))
    db.session.add(foreign)
    db.session.commit()
    bad = [
        _row(1, "", "Unit D1", 2, "30/06/2026", unit="D1"),
        _row(2, "c", "child of row 1", 2, "15/06/2026", parent="1"),
        _row(3, "a", "child of the parent", 1, "31/03/2026", parent=f"#{parent.id}"),
        _row(4, "a", "no such row", 2, "15/06/2026", parent="99"),
        _row(5, "c", "after its parent", 2, "30/06/2026", parent="2"),
        _row(6, "", "unit out of scope", 2, "30/06/2026", unit="E"),
        _row(7, "a", "not the head", 2, "30/06/2026", unit="D1"),
        _row(8, "a", "a task not mine", 2, "15/06/2026", parent=f"#{foreign.id}"),
        _row(9, "c", "child of a bad row", 2, "15/06/2026", parent="7"),
        _row(10, "c", "loop a", 2, "15/06/2026", parent="11"),
        _row(11, "c", "loop b", 2, "15/06/2026", parent="10"),
        _row(12, "c", "bad reference", 2, "15/06/2026", parent="cha"),
        _row(13, "c", "own parent", 2, "15/06/2026", parent="13"),
        _row(14, "c", "below a row found wrong later", 2, "10/06/2026", parent="15"),
        _row(15, "c", "its parent is missing", 2, "15/06/2026", parent="98"),
    ]
    reports, problems, added = task_sheets.import_tasks(_sheet(bad), org["boss"])
    db.session.rollback()
    errors = {r.row - 1: " ".join(r.errors) for r in reports}          # STT = sheet row − 1 here
    assert (problems, added) == ([], [])
    assert [n for n, e in errors.items() if not e] == [1, 2, 3]
    assert "STT 99" in errors[4] and "(STT 15) has errors" in errors[14]
    assert "cannot outlive" in errors[5] and "“E”" in errors[6]
    assert "not the head of Agency D1 (h1)" in errors[7] and f"#{foreign.id}" in errors[8]
    assert "STT 7" in errors[9] and "has errors" in errors[9]
    assert "loop" in errors[10] and "loop" in errors[11] and "“cha”" in errors[12] and "own parent" in errors[13]
    assert db.session.scalar(select(db.func.count(Task.id))) == 2
    # the valid rows import with their unit and parents (the parent row first)
    client = login("boss")
    page = client.post("/tasks/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(_sheet(bad[:3])), "nv.xlsx")}).get_data(as_text=True)
    assert page.count('class="ok"') == 3
    unit_task = db.session.scalars(select(Task).where(Task.title == "Unit D1")).one()
    child = db.session.scalars(select(Task).where(Task.title == "child of row 1")).one()
    grand = db.session.scalars(select(Task).where(Task.title == "child of the parent")).one()
    assert (unit_task.unit_id, unit_task.assignee_id) == (org["D1"].id, org["h1"].id)
    assert (child.parent_id, grand.parent_id) == (unit_task.id, parent.id)
    assert {a.after.get("parent") for a in db.session.scalars(
        select(AuditLog).where(AuditLog.action == "task.split"))} == {unit_task.id, parent.id}
    # export: the unit's code; a parent in the sheet by its STT, one outside by #id
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/tasks/export.xlsx?year=2026").data)).active
    header = [c.value for c in sheet[1]]
    rows = {r[header.index("Nhiệm vụ")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    col = header.index
    assert rows["Unit D1"][col("Mã đơn vị được giao")] == "D1" and rows["Unit D1"][col("Tên đăng nhập")] == "h1"
    assert rows["child of row 1"][col("Nhiệm vụ cha")] == rows["Unit D1"][col("STT")]
    assert rows["child of the parent"][col("Nhiệm vụ cha")] == f"#{parent.id}"
    assert rows["child of row 1"][col("ID nhiệm vụ")] == child.id
