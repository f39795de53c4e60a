"""Login: password policy, lockout, no user enumeration, rate limits, session rotation, cookies,
idle timeout (never mid-attempt), logout that really ends the session, safe ``next``."""
import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts import passwords
from accounts.auth import is_safe_next
from accounts.models import LoginEvent, UserSession
from app import create_app
from db_types import utcnow
from extensions import db
from tests import factories

GOOD = "Lúa-chín-vàng-2026"


@pytest.fixture
def person(app):
    agency = factories.agency("A")
    user = factories.user("cv.a", agency)
    db.session.commit()
    return user


def _login(client, username="cv.a", password=factories.PASSWORD, **kw):
    return client.post("/login", data={"username": username, "password": password, **kw})


def _danger(response) -> list[str]:
    import re

    return re.findall(r'alert-danger"[^>]*>([^<]*)<', response.get_data(as_text=True))


# ---- password policy -----------------------------------------------------------------------

def test_the_common_password_list_is_shipped_and_read():
    common = passwords.common_passwords()
    assert len(common) >= 10_000
    assert {"123456", "password", "qwertyuiop", "1234567890", "matkhau123"} <= common


@pytest.mark.parametrize("password, reason", [
    ("Ab1-short", "Use at least 10 characters."),
    ("qwertyuiop", "This password is one of the most common passwords; choose another."),
    ("1234567890", "This password is one of the most common passwords; choose another."),
    ("MatKhau123", "This password is one of the most common passwords; choose another."),
    ("aaaaaaaaaaaa", "This password repeats too few different characters."),
    ("cv.a-secret-2026", "The password must not contain your username or your name."),
    ("Nguyễn-Bình-2026!", "The password must not contain your username or your name."),
])
def test_weak_passwords_are_refused_with_the_reason(app, password, reason):
    found = [str(p) for p in passwords.problems(password, username="cv.a", full_name="Trần Thị Bình")]
    assert reason in found


def test_a_long_uncommon_password_passes(app):
    assert passwords.problems(GOOD, username="cv.a", full_name="Trần Thị Bình") == []


def test_password_change_checks_the_policy_and_logs_out_other_sessions(app, person):
    first, second = app.test_client(), app.test_client()
    assert _login(first).status_code == 302 and _login(second).status_code == 302
    weak = first.post("/account/password", data={"current": factories.PASSWORD, "new": "1234567890",
                                                 "confirm": "1234567890"})
    assert "one of the most common passwords" in weak.get_data(as_text=True)
    wrong = first.post("/account/password", data={"current": "nope", "new": GOOD, "confirm": GOOD})
    assert "This is not your current password." in wrong.get_data(as_text=True)
    done = first.post("/account/password", data={"current": factories.PASSWORD, "new": GOOD, "confirm": GOOD})
    assert done.status_code == 302 and done.headers["Location"] == "/account/"
    assert first.get("/").status_code == 200            # this session goes on …
    assert second.get("/").headers["Location"].startswith("/login")  # … every other one ended
    db.session.refresh(person)
    assert person.check_password(GOOD) and person.password_changed_at is not None


# ---- lockout and enumeration ------------------------------------------------------------------

def test_five_failures_lock_the_account_for_fifteen_minutes(app, client, person):
    for _ in range(4):
        _login(client, password="wrong")
    db.session.refresh(person)
    assert person.failed_logins == 4 and person.locked_until is None
    _login(client, password="wrong")
    db.session.refresh(person)
    lock = person.locked_until - utcnow()
    assert timedelta(minutes=14, seconds=50) < lock <= timedelta(minutes=15)
    refused = _login(client)  # the right password, during the lock
    assert refused.status_code == 200 and client.get("/").status_code == 302
    events = db.session.scalars(select(LoginEvent.event).where(LoginEvent.user_id == person.id)
                                .order_by(LoginEvent.id)).all()
    assert events == ["failure"] * 4 + ["lockout", "locked"]
    person.locked_until = utcnow() - timedelta(seconds=1)  # the lock runs out
    db.session.commit()
    assert _login(client).status_code == 302
    db.session.refresh(person)
    assert person.failed_logins == 0 and person.locked_until is None


def test_a_success_resets_the_failure_count(app, client, person):
    for _ in range(4):
        _login(client, password="wrong")
    assert _login(client).status_code == 302
    db.session.refresh(person)
    assert person.failed_logins == 0


def test_unknown_user_wrong_password_and_locked_account_look_the_same(app, person):
    unknown = _login(app.test_client(), username="nobody", password="x")
    wrong = _login(app.test_client(), password="x")
    person.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    locked = _login(app.test_client())
    message = ("Wrong username or password. After 5 failures in a row an account is locked for 15 minutes.")
    for response in (unknown, wrong, locked):
        assert response.status_code == 200
        assert _danger(response) == [message]


def test_an_inactive_account_cannot_log_in(app, client, person):
    person.active = False
    db.session.commit()
    assert _login(client).status_code == 200 and client.get("/").status_code == 302


# ---- rate limits ---------------------------------------------------------------------------

def _limited_app(tmp_path, storage="memory://", **config):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test",
                      "WTF_CSRF_ENABLED": False, "STORAGE_DIR": str(tmp_path / "s"), "RATELIMIT_ENABLED": True,
                      "RATELIMIT_STORAGE_URI": storage, "SQLALCHEMY_ENGINE_OPTIONS": {},
                      "AUDIT_CHECKPOINT": str(tmp_path / "c.json"), "LOGIN_MAX_FAILURES": 1000, **config})
    return app


STORAGES = ["memory://"] + ([os.environ["REDIS_URL_TEST"]] if os.environ.get("REDIS_URL_TEST") else [])


@pytest.mark.parametrize("storage", STORAGES, ids=lambda s: s.split(":")[0])
def test_login_posts_are_limited_per_account_from_any_address(tmp_path, storage):
    app = _limited_app(tmp_path, storage, LOGIN_LIMIT_ACCOUNT="3 per minute")
    name = f"victim-{time.time_ns()}"  # a fresh key: a shared Redis keeps counters between runs
    with app.app_context():
        db.create_all()
        client = app.test_client()
        codes = [client.post("/login", data={"username": name, "password": "x"},
                             environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code for i in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        other = client.post("/login", data={"username": name + "-2", "password": "x"},
                            environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert other.status_code == 200
        db.session.remove()


def test_only_failed_logins_count_against_an_address(tmp_path):
    """Agencies sit behind one NAT address (DECISIONS 19): successes never use up its budget."""
    app = _limited_app(tmp_path, LOGIN_LIMIT_ADDRESS="3 per minute")
    with app.app_context():
        db.create_all()
        agency = factories.agency("A")
        for i in range(5):
            factories.user(f"u{i}", agency)
        db.session.commit()
        nat = {"REMOTE_ADDR": "203.0.113.7"}
        for i in range(5):  # five people log in from the same address
            client = app.test_client()
            assert client.post("/login", data={"username": f"u{i}", "password": factories.PASSWORD},
                               environ_base=nat).status_code == 302
        client = app.test_client()
        failures = [client.post("/login", data={"username": f"u{i}", "password": "x"}, environ_base=nat).status_code
                    for i in range(5)]
        assert failures == [200, 200, 200, 429, 429]
        db.session.remove()


# ---- sessions ------------------------------------------------------------------------------

def test_login_rotates_the_session(app, client, person):
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
        s["sid"] = "chosen-by-the-attacker"
        s["lang"] = "en"
    _login(client)
    with client.session_transaction() as s:
        assert "planted" not in s and s["sid"] != "chosen-by-the-attacker"
        assert s["lang"] == "en"  # the visitor's language survives
        token = s["sid"]
    row = db.session.scalars(select(UserSession).where(UserSession.user_id == person.id)).one()
    import hashlib

    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and row.ended_at is None


def test_session_cookie_flags(tmp_path):
    for secure in (False, True):
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "t",
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "SESSION_COOKIE_SECURE": secure,
                          "SQLALCHEMY_ENGINE_OPTIONS": {}, "AUDIT_CHECKPOINT": str(tmp_path / "c.json")})
        with app.app_context():
            db.create_all()
            factories.user("cv.a", factories.agency("A"))
            db.session.commit()
            response = _login(app.test_client())
            cookie = response.headers["Set-Cookie"]
            assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
            assert ("Secure" in cookie) is secure
            assert ("Strict-Transport-Security" in response.headers) is secure
            db.session.remove()


def test_logout_ends_the_session_even_for_a_copied_cookie(app, person):
    client = app.test_client()
    _login(client)
    with client.session_transaction() as s:
        copied = dict(s)
    client.post("/logout")
    thief = app.test_client()
    with thief.session_transaction() as s:
        s.update(copied)
    assert thief.get("/").headers["Location"].startswith("/login")
    row = db.session.scalars(select(UserSession).where(UserSession.user_id == person.id)).one()
    assert row.end_reason == "logout"


def _age_session(client, minutes, key="seen"):
    with client.session_transaction() as s:
        s[key] = int(time.time()) - minutes * 60


def test_an_idle_session_ends_after_thirty_minutes(app, client, person):
    _login(client)
    _age_session(client, 29)
    assert client.get("/").status_code == 200
    _age_session(client, 31)
    response = client.get("/tasks/")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/tasks/"
    assert client.get("/").headers["Location"].startswith("/login")
    assert db.session.scalars(select(UserSession.end_reason)).one() == "idle"


def test_an_idle_json_request_gets_401(app, client, person):
    _login(client)
    _age_session(client, 31)
    response = client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 401 and response.get_json()["status"] == 401


def test_a_login_ends_after_twelve_hours_however_busy(app, client, person):
    _login(client)
    _age_session(client, 12 * 60 + 1, key="login_at")
    assert client.get("/").headers["Location"].startswith("/login")


def test_an_open_attempt_is_never_logged_out(app, client, person):
    """Saves and timer syncs keep the session alive; even after a long network cut the
    examinee is not logged out while the attempt is open."""
    bank = factories.bank(person.agency, [factories.mc(f"Q{i}") for i in range(2)])
    from question_bank.models import Category

    category = db.session.scalars(select(Category).where(Category.bank_id == bank.id)).first()
    exam = factories.exam(bank, person.agency, [(category, 2, 1)], duration=90)
    db.session.commit()
    _login(client)
    assert client.post(f"/exam/{exam.id}/start").status_code == 302
    _age_session(client, 45)  # 45 minutes without a request: the network was down
    from exam.models import Attempt

    attempt = db.session.scalars(select(Attempt)).one()
    state = client.get(f"/exam/attempt/{attempt.id}/state")
    assert state.status_code == 200 and state.get_json()["state"] == "in_progress"
    with client.session_transaction() as s:
        assert int(time.time()) - s["seen"] < 5  # refreshed by the request


def test_an_attempt_past_its_deadline_no_longer_keeps_the_session(app, client, person):
    bank = factories.bank(person.agency, [factories.mc("Q0")])
    from exam.models import Attempt
    from question_bank.models import Category

    category = db.session.scalars(select(Category).where(Category.bank_id == bank.id)).first()
    exam = factories.exam(bank, person.agency, [(category, 1, 1)], duration=30)
    db.session.commit()
    _login(client)
    client.post(f"/exam/{exam.id}/start")
    attempt = db.session.scalars(select(Attempt)).one()
    attempt.deadline = utcnow() - timedelta(minutes=5)  # its time is over
    db.session.commit()
    _age_session(client, 31)
    assert client.get("/").headers["Location"].startswith("/login")


@pytest.mark.parametrize("target, safe", [
    ("/tasks/", True), ("/exam/attempt/3?x=1", True),
    ("//evil.example/", False), ("https://evil.example/", False), ("/\\evil.example", False),
    ("/\t/evil.example", False), ("/\n/evil.example", False), (" /x", False), ("", False), (None, False),
    ("javascript:alert(1)", False), ("/\x7f/evil", False),
])
def test_next_targets(target, safe):
    assert is_safe_next(target) is safe


def test_login_follows_only_a_safe_next(app, person):
    assert _login(app.test_client(), next="/tasks/").headers["Location"] == "/tasks/"
    assert _login(app.test_client(), next="/\t/evil.example").headers["Location"] == "/"
