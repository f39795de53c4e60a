"""Every route is guarded; roles reach only their agency subtree (DESIGN.md "Who uses it")."""
import pytest
from sqlalchemy import select

from accounts.models import Agency, User
from classification.models import YearlyClassification
from exam.models import Attempt
from extensions import db
from performance.models import EvidenceFile, ProductReport, Task

def _sample_url(rule) -> str:
    values = {}
    for arg in rule.arguments:
        converter = rule._converters[arg]
        values[arg] = (sorted(converter.items)[0] if getattr(converter, "items", None)
                       else 1 if type(converter).__name__ == "IntegerConverter" else "2026-Q1")
    return rule.build(values, append_unknown=False)[1]


def test_every_route_needs_a_login(app, client):
    """Anonymous requests to every non-public route (with dummy ids) go to the login page."""
    from accounts.policy import route_policy

    for rule in app.url_map.iter_rules():
        policy = route_policy(app, rule.endpoint)
        if policy is not None and policy.public:
            continue
        url = _sample_url(rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method)
            assert response.status_code in (302, 401), (method, url, response.status_code)
            if response.status_code == 302:
                assert "/login" in response.headers["Location"], (method, url)


def _user(name):
    return db.session.scalars(select(User).where(User.username == name)).one()


def _agency(code):
    return db.session.scalars(select(Agency).where(Agency.code == code)).one()


@pytest.fixture
def stc_hr(demo, auth):
    """giamdoc.stc holds hr_officer, head and supervisor at the Department of Finance only."""
    auth.login("giamdoc.stc")
    return auth.client


def test_department_hr_cannot_reach_another_department(stc_hr):
    snv, stc = _agency("SNV"), _agency("STC")
    assert stc_hr.get(f"/agencies/{stc.id}").status_code == 200
    assert stc_hr.get(f"/agencies/{snv.id}").status_code == 404
    assert stc_hr.get(f"/rating/results/{stc.id}/2026").status_code == 200
    assert stc_hr.get(f"/rating/results/{snv.id}/2026").status_code == 404
    assert stc_hr.get(f"/rating/results/{snv.id}/2026.xlsx").status_code == 404
    assert stc_hr.post(f"/rating/run/{snv.id}/2026").status_code == 404
    outsider = _user("cv.tcbm1")
    assert stc_hr.get(f"/people/{outsider.id}").status_code == 404
    assert stc_hr.get(f"/rating/general/{outsider.id}/2026-Q1").status_code == 404
    staff_page = stc_hr.get(f"/agencies/{stc.id}").get_data(as_text=True)
    assert "Phan Văn Phúc" in staff_page and "Bùi Văn Khánh" not in staff_page


def test_supervisor_cannot_touch_other_units_tasks_or_evidence(demo, auth, client, tmp_path):
    auth.login("tp.ns")   # head of the budget division of the Department of Finance
    own = db.session.scalars(select(Task).join(User, Task.assignee_id == User.id)
                             .where(User.username == "cv.ns1")).first()
    foreign = db.session.scalars(select(Task).join(User, Task.assignee_id == User.id)
                                 .where(User.username == "cv.tcbm1")).first()
    foreign_report = db.session.scalars(select(ProductReport).where(ProductReport.task_id == foreign.id)).first()
    own_report = db.session.scalars(select(ProductReport).where(ProductReport.task_id == own.id)).first()
    assert client.get(f"/tasks/product/{own_report.id}/verify").status_code == 200
    assert client.get(f"/tasks/product/{foreign_report.id}/verify").status_code == 404
    assert client.post(f"/tasks/product/{foreign_report.id}/verify",
                       data={"accepted_value": "0"}).status_code == 404


def test_examinee_cannot_open_another_persons_attempt(demo, auth, client):
    someone = db.session.scalars(select(Attempt).join(User).where(User.username == "nganhang")).one()
    auth.login("cv.vp1")
    assert client.get(f"/exam/attempt/{someone.id}").status_code == 404
    assert client.get(f"/exam/attempt/{someone.id}/result").status_code == 404
    assert client.post(f"/exam/attempt/{someone.id}/save", json={"position": 1, "seq": 99}).status_code == 404
    assert client.get(f"/exam/attempt/{someone.id}/state").status_code == 404


def test_examinee_has_no_admin_pages(demo, auth, client):
    auth.login("cv.vp1")
    for url in ("/bank/", "/exam/admin", "/tasks/team", "/rating/", "/agencies"):
        assert client.get(url).status_code == 403, url


def test_login_rejects_wrong_password_without_telling_which_part(demo, client):
    bad_user = client.post("/login", data={"username": "nobody", "password": "x"})
    bad_pass = client.post("/login", data={"username": "nhansu", "password": "x"})
    assert bad_user.status_code == bad_pass.status_code == 200
    assert bad_user.get_data(as_text=True).count("alert-danger") == 1
    assert client.get("/").status_code == 302


def test_open_redirect_is_refused(demo, client):
    response = client.post("/login", data={"username": "nhansu", "password": "Demo@2026",
                                           "next": "//evil.example/"})
    assert response.headers["Location"] == "/"
