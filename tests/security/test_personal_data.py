"""Decree 13/2023/NĐ-CP: a person sees and downloads what the platform holds about them; an
administrator's view of a person's data is itself audited; retention periods are applied by
``flask data purge``."""
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from accounts.models import AuditLog, LoginEvent
from db_types import utcnow
from extensions import db
from performance import services as perf
from performance.models import EvidenceFile, ProductReport, Task
from tests import factories

PDF = b"%PDF-1.7 evidence\n"


@pytest.fixture
def people(app):
    a, b = factories.agency("A"), factories.agency("B")
    boss = factories.user("boss", a, roles=[("supervisor", a)], leader=True)
    me = factories.user("me", a)
    other = factories.user("other", a)
    hr_a = factories.user("hr.a", a, roles=[("hr_officer", a)])
    hr_b = factories.user("hr.b", b, roles=[("hr_officer", b)])
    for person in (me, other):
        task = Task(year=2026, period="2026-Q1", assigner_id=boss.id, assignee_id=person.id,
                    title=f"Task of {person.username}", target=4, deadline=date(2026, 3, 25))
        db.session.add(task)
        db.session.flush()
        report = perf.report_product(task, person, 4, f"Product of {person.username}", date(2026, 3, 20),
                                     ("proof.pdf", PDF + person.username.encode()))
        perf.verify_report(report, boss, accepted=4, on_time=True, quality_met=True)
    me.set_password("Lúa-chín-vàng-2026")
    me.totp_secret = "JBSWY3DPEHPK3PXP"
    db.session.commit()
    return {"boss": boss, "me": me, "other": other, "hr_a": hr_a, "hr_b": hr_b}


def _login(client, username, password=factories.PASSWORD):
    client.post("/lang/en")
    assert client.post("/login", data={"username": username, "password": password}).status_code == 302


def test_my_data_holds_my_rows_and_no_one_elses_nor_any_secret(app, client, people):
    _login(client, "me", "Lúa-chín-vàng-2026")
    response = client.get("/account/data.json")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="du-lieu-ca-nhan-me-')
    data = json.loads(response.data)
    assert data["person"]["username"] == "me" and data["person"]["full_name"] == "Me"
    tables = data["tables"]
    assert [t["title"] for t in tables["task"]] == ["Task of me"]
    assert [r["product"] for r in tables["product_report"]] == ["Product of me"]
    assert [e["original_name"] for e in tables["evidence_file"]] == ["proof.pdf"]
    assert [v["accepted_value"] for v in tables["verification"]] == ["4"]
    assert {s["ip"] for s in tables["user_session"]} == {"127.0.0.1"}
    assert "login" in {e["event"] for e in tables["login_event"]}
    text = response.get_data(as_text=True)
    for secret in ("password_hash", "totp_secret", "JBSWY3DPEHPK3PXP", "token_hash", "scrypt:"):
        assert secret not in text
    assert "Task of other" not in text and "Product of other" not in text
    assert sorted(a["action"] for a in data["audit"]) == ["product.report", "product.verify"]


def test_my_data_as_a_page_and_as_xlsx(app, client, people):
    _login(client, "me", "Lúa-chín-vàng-2026")
    page = client.get("/account/data").get_data(as_text=True)
    assert "Task of me" in page and "Task of other" not in page
    book = load_workbook(io.BytesIO(client.get("/account/data.xlsx").data))
    assert {"person", "task", "product_report", "evidence_file", "audit"} <= set(book.sheetnames)
    person = dict(zip([c.value for c in book["person"][1]], [c.value for c in book["person"][2]]))
    assert person["username"] == "me" and person["full_name"] == "Me" and "password_hash" not in person


def test_a_supervisor_sees_counts_of_what_they_did_not_others_rows(app, client, people):
    _login(client, "boss")
    data = json.loads(client.get("/account/data.json").data)
    assert data["actions"] == {"task.assigner_id": 2, "verification.verifier_id": 2}
    assert "task" not in data["tables"]


def test_an_administrators_view_is_audited_and_shown_to_the_person(app, people):
    hr = app.test_client()
    _login(hr, "hr.a")
    me = people["me"]
    form = hr.get(f"/account/people/{me.id}/data")
    assert form.status_code == 200 and "recorded in the audit log" in form.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "personal_data.view")) == 0  # the form alone records nothing
    short = hr.post(f"/account/people/{me.id}/data", data={"purpose": "x", "output": "page"})
    assert "Task of me" not in short.get_data(as_text=True)
    shown = hr.post(f"/account/people/{me.id}/data", data={"purpose": "Hồ sơ khiếu nại xếp loại 2026",
                                                           "output": "json"})
    assert json.loads(shown.data)["person"]["username"] == "me"
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "personal_data.view")).one()
    assert (entry.actor_id, entry.object_type, entry.object_id) == (people["hr_a"].id, "User", str(me.id))
    assert entry.reason == "Hồ sơ khiếu nại xếp loại 2026" and entry.after == {"output": "json"}
    mine = app.test_client()
    _login(mine, "me", "Lúa-chín-vàng-2026")
    seen = json.loads(mine.get("/account/data.json").data)["audit"]
    assert any(r["action"] == "personal_data.view" and r["actor_id"] == people["hr_a"].id
               and r["reason"] == "Hồ sơ khiếu nại xếp loại 2026" for r in seen)


def test_no_view_outside_the_agency_subtree_or_without_the_role(app, people):
    me = people["me"]
    other_agency = app.test_client()
    _login(other_agency, "hr.b")
    assert other_agency.post(f"/account/people/{me.id}/data",
                             data={"purpose": "Tò mò về đồng nghiệp", "output": "json"}).status_code == 404
    colleague = app.test_client()
    _login(colleague, "other")
    assert colleague.get(f"/account/people/{me.id}/data").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "personal_data.view")) == 0


# ---- retention ----------------------------------------------------------------------------

def _old_evidence(person, boss, year, data):
    task = Task(year=year, period=f"{year}-Q1", assigner_id=boss.id, assignee_id=person.id, title=f"Old {year}",
                target=1, deadline=date(year, 3, 25))
    report = ProductReport(task=task, actual_value=1, product="x", delivered_on=date(year, 3, 1))
    db.session.add_all([task, report])
    return perf.store_evidence(report, "old.pdf", data)


def test_purge_applies_the_retention_periods(app, runner, people):
    me, boss = people["me"], people["boss"]
    storage = Path(app.config["STORAGE_DIR"]) / "evidence"
    old = _old_evidence(me, boss, 2019, b"%PDF-old only")
    shared = _old_evidence(me, boss, 2018, PDF + b"me")  # the same bytes as this year's evidence of me
    db.session.add(LoginEvent(event="login", user_id=me.id, at=utcnow() - timedelta(days=400)))
    db.session.add(LoginEvent(event="login", user_id=me.id, at=utcnow() - timedelta(days=10)))
    db.session.commit()
    old_file, shared_file = storage / old.stored_name, storage / shared.stored_name
    assert old_file.exists() and shared_file.exists()
    events_before = db.session.scalar(select(func.count()).select_from(LoginEvent))

    dry = runner.invoke(args=["data", "purge", "--dry-run"])
    assert "would delete: 2 evidence file records (1 stored files), 1 security events" in dry.output
    assert old_file.exists() and db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 4

    done = runner.invoke(args=["data", "purge"])
    assert done.exit_code == 0 and "deleted: 2 evidence file records (1 stored files), 1 security events" in done.output
    assert not old_file.exists() and shared_file.exists()  # still used by the 2026 report
    years = db.session.scalars(select(Task.year).join(ProductReport).join(EvidenceFile)).all()
    assert sorted(years) == [2026, 2026]
    assert db.session.scalar(select(func.count()).select_from(LoginEvent)) == events_before - 1
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "data.purge")).one()
    assert entry.after["evidence_before_year"] == utcnow().year - 5 and entry.after["files"] == [old.stored_name]
