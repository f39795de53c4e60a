"""Every route is guarded; roles reach only their agency subtree (DESIGN.md "Who uses it")."""
from sqlalchemy import select

from accounts.models import Agency, User
from exam.models import Attempt
from extensions import db
from performance.models import ProductReport, Task


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


def test_demo_province_roles_stay_in_their_subtree(demo, app):
    """The demo province (one load, ~8 s): HR of a department, a division head, an examinee.
    The role × route matrix on a small province is tests/security/test_route_policy.py."""
    from tests.security.helpers import login_as

    # giamdoc.stc holds hr_officer, head and supervisor at the Department of Finance only.
    stc_hr = login_as(app.test_client(), _user("giamdoc.stc"))
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

    # tp.ns heads the budget division of the Department of Finance.
    head = login_as(app.test_client(), _user("tp.ns"))
    own = db.session.scalars(select(Task).join(User, Task.assignee_id == User.id)
                             .where(User.username == "cv.ns1")).first()
    foreign = db.session.scalars(select(Task).join(User, Task.assignee_id == User.id)
                                 .where(User.username == "cv.tcbm1")).first()
    foreign_report = db.session.scalars(select(ProductReport).where(ProductReport.task_id == foreign.id)).first()
    own_report = db.session.scalars(select(ProductReport).where(ProductReport.task_id == own.id)).first()
    assert head.get(f"/tasks/product/{own_report.id}/verify").status_code == 200
    assert head.get(f"/tasks/product/{foreign_report.id}/verify").status_code == 404
    assert head.post(f"/tasks/product/{foreign_report.id}/verify", data={"accepted_value": "0"}).status_code == 404

    someone = db.session.scalars(select(Attempt).join(User).where(User.username == "nganhang")).one()
    examinee = login_as(app.test_client(), _user("cv.vp1"))
    assert examinee.get(f"/exam/attempt/{someone.id}").status_code == 404
    assert examinee.get(f"/exam/attempt/{someone.id}/result").status_code == 404
    assert examinee.post(f"/exam/attempt/{someone.id}/save", json={"position": 1, "seq": 99}).status_code == 404
    assert examinee.get(f"/exam/attempt/{someone.id}/state").status_code == 404
    for url in ("/bank/", "/exam/admin", "/tasks/team", "/rating/", "/agencies"):
        assert examinee.get(url).status_code == 403, url


    # REQUIRE_2FA is off for the demo: admin, HR and exam-admin log in with the password alone.
    for username in ("admin", "nhansu", "khaothi"):
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": "Demo@2026"})
        assert response.headers["Location"] == "/", username
