"""Password reset links issued by an administrator or HR officer (DECISIONS.md 24)."""
import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts import sessions
from accounts.models import AuditLog, LoginEvent, User, UserSession
from accounts.reset import PasswordReset
from app import create_app
from db_types import utcnow
from extensions import db
from tests import factories
from tests.security.helpers import login_as, logout

NEW = "Hoa-sen-nở-giữa-hè-2026"


@pytest.fixture
def org(app):
    """Province P (admin and province HR), departments D and E (an HR officer each), a
    person in D and one in E, and someone in D who holds the admin role at P."""
    p = factories.agency("P", kind="province")
    d, e = factories.agency("D", p), factories.agency("E", p)
    people = {
        "admin": factories.user("quan.tri", p, roles=[("admin", p)]),
        "hr_p": factories.user("tccb.tinh", p, roles=[("hr_officer", p)]),
        "hr_d": factories.user("tccb.so", d, roles=[("hr_officer", d)]),
        "person": factories.user("nguyen.van.an", d),
        "other": factories.user("tran.thi.anh", e),
        "boss": factories.user("le.bao", d, roles=[("admin", p)]),
    }
    db.session.commit()
    return people


def english(client):
    """Messages are checked in English (the default locale is Vietnamese)."""
    with client.session_transaction() as s:
        s["lang"] = "en"
    return client


def as_(client, user):
    return english(login_as(client, user))


def anonymous(client):
    return english(logout(client))


def _issue(client, username):
    return client.post("/password-resets", data={"username": username})


def _token(response) -> str:
    found = re.search(r'value="http://localhost/reset/([A-Za-z0-9_-]+)"', response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)
    return found.group(1)


def _rows(user):
    return list(db.session.scalars(select(PasswordReset).where(PasswordReset.user_id == user.id)
                                   .order_by(PasswordReset.id)))


def _actions(user):
    return [a.action for a in db.session.scalars(select(AuditLog).where(
        AuditLog.object_type == "User", AuditLog.object_id == str(user.id)).order_by(AuditLog.id))]


def test_an_admin_issues_a_link_shown_once_and_stored_hashed(app, client, org):
    as_(client, org["admin"])
    response = _issue(client, "nguyen.van.an")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    token = _token(response)
    assert len(token) == 43  # 32 random bytes, URL-safe base64
    [row] = _rows(org["person"])
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.expires_at - row.created_at == timedelta(hours=24)
    assert row.issued_by_id == org["admin"].id and row.state == "open"
    assert _actions(org["person"]) == ["password.reset_issued"]
    # The listing shows the link's state, never the token.
    page = client.get("/password-resets").get_data(as_text=True)
    assert "nguyen.van.an" in page and token not in page


def test_the_person_sets_a_new_password_and_every_session_ends(app, client, org):
    person = org["person"]
    person.locked_until, person.failed_logins = utcnow() + timedelta(minutes=10), 3
    other_device = app.test_client()
    login_as(other_device, person)
    sessions.open_record(person)
    db.session.commit()
    assert other_device.get("/").status_code == 200
    version = person.session_version

    as_(client, org["admin"])
    token = _token(_issue(client, "nguyen.van.an"))
    anonymous(client)
    page = client.get(f"/reset/{token}")
    assert page.status_code == 200 and "nguyen.van.an" in page.get_data(as_text=True)

    done = client.post(f"/reset/{token}", data={"new": NEW, "confirm": NEW})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    db.session.refresh(person)
    assert person.check_password(NEW) and not person.check_password(factories.PASSWORD)
    assert person.locked_until is None and person.failed_logins == 0
    assert person.session_version == version + 1
    assert db.session.scalars(select(UserSession).where(UserSession.user_id == person.id,
                                                        UserSession.ended_at.is_(None))).all() == []
    assert {s.end_reason for s in db.session.scalars(select(UserSession).where(UserSession.user_id == person.id))} \
        == {"password_reset"}
    assert other_device.get("/").status_code == 302  # the other device is logged out
    [row] = _rows(person)
    assert row.used_at is not None and row.state == "used"
    assert _actions(person) == ["password.reset_issued", "password.reset_used"]
    used = db.session.scalars(select(AuditLog).where(AuditLog.action == "password.reset_used")).one()
    assert used.after == {"reset_id": row.id, "sessions_ended": 2}
    # The new password logs in.
    assert client.post("/login", data={"username": "nguyen.van.an", "password": NEW}).status_code == 302


@pytest.mark.parametrize("password, message", [
    ("ngan", "Use at least 10 characters."),
    ("matkhau123", "This password is one of the most common passwords; choose another."),
    ("nguyen.van.an-2026", "The password must not contain your username or your name."),
])
def test_the_change_form_password_policy_applies(app, client, org, password, message):
    as_(client, org["admin"])
    token = _token(_issue(client, "nguyen.van.an"))
    anonymous(client)
    response = client.post(f"/reset/{token}", data={"new": password, "confirm": password})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.refresh(org["person"])
    assert org["person"].check_password(factories.PASSWORD)
    assert _rows(org["person"])[0].used_at is None


INVALID = "The password reset link is not valid"


def test_used_expired_replaced_and_unknown_links_get_the_same_message(app, client, org):
    as_(client, org["admin"])
    first = _token(_issue(client, "nguyen.van.an"))
    second = _token(_issue(client, "nguyen.van.an"))  # replaces the first
    third_person = _token(_issue(client, "tran.thi.anh"))
    anonymous(client)
    assert [r.state for r in _rows(org["person"])] == ["revoked", "open"]
    assert client.post(f"/reset/{second}", data={"new": NEW, "confirm": NEW}).status_code == 302
    row = _rows(org["other"])[0]
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    for token in (first, second, third_person, "no-such-token", "x" * 200):
        for method in ("get", "post"):
            response = getattr(client, method)(f"/reset/{token}", data={"new": NEW + "!", "confirm": NEW + "!"})
            assert response.status_code == 200, token
            assert INVALID in response.get_data(as_text=True), token
    db.session.refresh(org["other"])
    assert org["other"].check_password(factories.PASSWORD)
    events = db.session.scalars(select(LoginEvent.event).where(LoginEvent.event == "reset_invalid")).all()
    assert len(events) == 10


def test_an_hr_officer_issues_only_within_their_agency_subtree(app, client, org):
    as_(client, org["hr_d"])
    assert _issue(client, "nguyen.van.an").status_code == 200
    refused = _issue(client, "tran.thi.anh")          # another department
    assert "No person with this username in the agencies you manage." in refused.get_data(as_text=True)
    unknown = _issue(client, "khong.co.ai")
    assert "No person with this username in the agencies you manage." in unknown.get_data(as_text=True)
    assert client.post(f"/people/{org['other'].id}/reset-link").status_code == 404
    assert _rows(org["other"]) == []
    # The province HR officer reaches both departments.
    as_(client, org["hr_p"])
    assert client.post(f"/people/{org['other'].id}/reset-link").status_code == 200
    assert len(_rows(org["other"])) == 1


def test_nobody_gets_a_link_for_someone_with_more_rights(app, client, org):
    """``le.bao`` works in D but is an administrator of the province: D's HR officer (and the
    province HR officer) must not be able to take over that account; an administrator may."""
    for issuer in ("hr_d", "hr_p"):
        as_(client, org[issuer])
        page = _issue(client, "le.bao").get_data(as_text=True)
        assert "This person holds a role beyond your reach" in page
        response = client.post(f"/people/{org['boss'].id}/reset-link")
        assert response.status_code == 302
    assert _rows(org["boss"]) == []
    as_(client, org["hr_d"])
    assert "For your own account use" in _issue(client, "tccb.so").get_data(as_text=True)
    as_(client, org["admin"])
    assert _issue(client, "le.bao").status_code == 200 and len(_rows(org["boss"])) == 1


def test_an_inactive_account_gets_no_link_and_a_deactivated_one_cannot_use_it(app, client, org):
    as_(client, org["admin"])
    token = _token(_issue(client, "nguyen.van.an"))
    org["person"].active = False
    db.session.commit()
    assert "This account is inactive" in _issue(client, "nguyen.van.an").get_data(as_text=True)
    assert INVALID in client.get(f"/reset/{token}").get_data(as_text=True)


def test_people_without_the_roles_cannot_issue(app, client, org):
    as_(client, org["person"])
    assert client.get("/password-resets").status_code == 403
    assert client.post(f"/people/{org['other'].id}/reset-link").status_code == 403
    anonymous(client)
    assert client.get("/password-resets").status_code == 302


def test_the_lifetime_is_a_setting(app, client, org):
    app.config["PASSWORD_RESET_HOURS"] = 2
    as_(client, org["admin"])
    _issue(client, "nguyen.van.an")
    row = _rows(org["person"])[0]
    assert row.expires_at - row.created_at == timedelta(hours=2)


def test_the_reset_page_is_rate_limited_per_address(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test",
                      "WTF_CSRF_ENABLED": False, "STORAGE_DIR": str(tmp_path / "s"), "RATELIMIT_ENABLED": True,
                      "RATELIMIT_STORAGE_URI": "memory://", "SQLALCHEMY_ENGINE_OPTIONS": {},
                      "AUDIT_CHECKPOINT": str(tmp_path / "c.json"), "PASSWORD_RESET_LIMIT": "3 per minute"})
    with app.app_context():
        db.create_all()
        client = app.test_client()
        here = {"REMOTE_ADDR": "198.51.100.4"}
        codes = [client.get(f"/reset/guess-{i}", environ_base=here).status_code for i in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        assert client.get("/reset/guess-9", environ_base={"REMOTE_ADDR": "198.51.100.5"}).status_code == 200
        db.session.remove()


def test_home_page_links_to_the_issuer_page_for_issuers_only(app, client, org):
    as_(client, org["hr_d"])
    assert "/password-resets" in client.get("/").get_data(as_text=True)
    as_(client, org["person"])
    assert "/password-resets" not in client.get("/").get_data(as_text=True)
