"""TOTP two-factor login for admin, HR and exam-admin roles, with recovery codes (pyotp
computes the codes an authenticator app would show)."""
import re
import time

import pyotp
import pytest
from sqlalchemy import select

from accounts import twofactor
from accounts.models import RecoveryCode, UserSession
from extensions import db
from tests import factories


@pytest.fixture
def hr(app):
    agency = factories.agency("A")
    user = factories.user("hr.a", agency, roles=[("hr_officer", agency)])
    db.session.commit()
    return user


def _login(client, username="hr.a"):
    return client.post("/login", data={"username": username, "password": factories.PASSWORD})


def _enrol(client, user) -> list[str]:
    page = client.get("/account/two-factor").get_data(as_text=True)
    db.session.refresh(user)
    secret = user.totp_secret
    assert f'<code class="secret">{secret}</code>' in page
    assert f"otpauth://totp/S%C3%A1t%20h%E1%BA%A1ch:hr.a?secret={secret}&amp;issuer=S%C3%A1t%20h%E1%BA%A1ch" in page
    assert 'src="data:image/svg+xml' in page  # the QR code is drawn here, no third-party origin
    done = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    return re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.get_data(as_text=True))


def test_enrolment_confirms_with_a_code_and_issues_ten_hashed_recovery_codes(app, client, hr):
    _login(client)
    wrong = client.post("/account/two-factor", data={"code": "000000"})
    assert "That code does not match" in wrong.get_data(as_text=True)
    db.session.refresh(hr)
    assert not hr.has_totp
    codes = _enrol(client, hr)
    db.session.refresh(hr)
    assert hr.has_totp and len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", c) for c in codes)
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == hr.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert all(len(h) == 64 for h in stored)


def test_login_asks_for_the_code_and_refuses_a_replayed_one(app, hr):
    client = app.test_client()
    _login(client)
    _enrol(client, hr)
    client.post("/logout")
    db.session.refresh(hr)
    totp = pyotp.TOTP(hr.totp_secret)
    step_time = time.time() + 30  # the next step: the enrolment code's step is spent
    code = totp.at(step_time)
    first = app.test_client()
    assert _login(first).headers["Location"] == "/login/code"
    assert first.get("/").headers["Location"].startswith("/login")  # the password alone is not enough
    wrong = "123456" if code != "123456" else "654321"
    assert first.post("/login/code", data={"code": wrong}).status_code == 200
    from unittest import mock

    with mock.patch("accounts.twofactor.time.time", return_value=step_time):
        assert first.post("/login/code", data={"code": code}).headers["Location"] == "/"
        assert first.get("/").status_code == 200
        replay = app.test_client()
        _login(replay)
        assert replay.post("/login/code", data={"code": code}).status_code == 200  # used once already
        assert replay.get("/").headers["Location"].startswith("/login")
    record = db.session.scalars(select(UserSession).where(UserSession.user_id == hr.id,
                                                          UserSession.ended_at.is_(None))).one()
    assert record.second_factor


def test_codes_from_the_neighbouring_steps_only(app, hr):
    secret = twofactor.begin(hr)
    totp, now = pyotp.TOTP(secret), 1_800_000_000
    assert not twofactor.check_code(hr, totp.at(now - 60), now=now)
    assert twofactor.check_code(hr, totp.at(now - 30), now=now)
    assert not twofactor.check_code(hr, totp.at(now - 30), now=now)  # no replay
    assert twofactor.check_code(hr, totp.at(now + 30), now=now)
    assert not twofactor.check_code(hr, "12345", now=now) and not twofactor.check_code(hr, "", now=now)


def test_a_recovery_code_works_once(app, hr):
    client = app.test_client()
    _login(client)
    codes = _enrol(client, hr)
    client.post("/logout")
    first = app.test_client()
    _login(first)
    response = first.post("/login/code", data={"code": codes[3].upper()})
    assert response.headers["Location"] == "/"
    second = app.test_client()
    _login(second)
    assert second.post("/login/code", data={"code": codes[3]}).status_code == 200
    assert second.get("/").headers["Location"].startswith("/login")
    assert twofactor.recovery_codes_left(hr) == 9


def test_wrong_codes_count_towards_the_lockout(app, hr):
    client = app.test_client()
    _login(client)
    _enrol(client, hr)
    client.post("/logout")
    attacker = app.test_client()
    _login(attacker)  # knows the password
    for _ in range(5):
        attacker.post("/login/code", data={"code": "000000"})
    db.session.refresh(hr)
    assert hr.locked_until is not None


def test_the_pending_login_expires_after_five_minutes(app, hr):
    client = app.test_client()
    _login(client)
    _enrol(client, hr)
    client.post("/logout")
    _login(client)
    with client.session_transaction() as s:
        s["2fa"] = {**s["2fa"], "at": int(time.time()) - 301}
    assert client.get("/login/code").headers["Location"] == "/login"


def test_required_roles_must_enrol_when_the_setting_is_on(app, hr):
    agency = hr.agency
    factories.user("cv.a", agency)
    db.session.commit()
    client = app.test_client()
    _login(client)
    assert client.get("/").status_code == 200  # off by default (demo, tests)
    app.config["REQUIRE_2FA"] = True
    try:
        assert client.get("/").headers["Location"] == "/account/two-factor"
        assert client.get("/tasks/", headers={"Accept": "application/json"}).status_code == 403
        assert client.get("/account/two-factor").status_code == 200
        plain = app.test_client()
        _login(plain, "cv.a")
        assert plain.get("/").status_code == 200  # an examinee is not asked
        _enrol(client, hr)
        assert client.get("/").status_code == 200
        off = client.post("/account/two-factor/off", data={"password": factories.PASSWORD})
        assert off.status_code == 302
        db.session.refresh(hr)
        assert hr.has_totp  # it cannot be turned off while required
    finally:
        app.config["REQUIRE_2FA"] = False


def test_turning_off_and_new_codes_need_the_password(app, client, hr):
    _login(client)
    old = _enrol(client, hr)
    client.post("/account/two-factor/recovery-codes", data={"password": "wrong"})
    assert twofactor.recovery_codes_left(hr) == 10
    new = client.post("/account/two-factor/recovery-codes", data={"password": factories.PASSWORD})
    fresh = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", new.get_data(as_text=True))
    assert len(fresh) == 10 and not set(fresh) & set(old)
    client.post("/account/two-factor/off", data={"password": factories.PASSWORD})
    db.session.refresh(hr)
    assert not hr.has_totp and twofactor.recovery_codes_left(hr) == 0
