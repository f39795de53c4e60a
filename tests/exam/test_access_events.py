"""Exam password, allowed address ranges, and the per-attempt event log."""
from sqlalchemy import select

from exam import access, services
from exam.models import Attempt, AttemptEvent
from extensions import db
from tests.exam.conftest import login


def _kinds(attempt_id):
    return [e.kind for e in db.session.scalars(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id)
                                                .order_by(AttemptEvent.id))]


def test_networks_parse_and_match():
    exam = type("E", (), {"allowed_networks": "10.20.0.0/16\n192.168.1.7, 2001:db8::/32"})()
    assert access.address_allowed(exam, "10.20.3.4") and access.address_allowed(exam, "192.168.1.7")
    assert access.address_allowed(exam, "2001:db8::1")
    assert not access.address_allowed(exam, "10.21.0.1") and not access.address_allowed(exam, "garbage")
    assert access.address_allowed(type("E", (), {"allowed_networks": ""})(), "8.8.8.8")


def test_password_is_required_to_start(world, app):
    access.set_password(world.exam, "phong-3")
    db.session.commit()
    alice = login(app, world.alice)
    assert alice.post(f"/exam/{world.exam.id}/start", data={"password": "wrong"}).status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(Attempt)) == 0
    assert alice.post(f"/exam/{world.exam.id}/start", data={"password": "phong-3"}).headers["Location"].startswith(
        "/exam/attempt/")
    assert db.session.scalar(select(db.func.count()).select_from(Attempt)) == 1


def test_address_outside_the_ranges_cannot_start_or_save(world, app):
    alice = login(app, world.alice)
    assert alice.post(f"/exam/{world.exam.id}/start").status_code == 302         # test client: 127.0.0.1
    attempt = db.session.scalars(select(Attempt)).one()
    world.exam.allowed_networks = "10.0.0.0/8"
    db.session.commit()
    save = alice.post(f"/exam/attempt/{attempt.id}/save",
                      json={"token": attempt.session_token, "position": 1, "seq": 1, "response": None})
    assert save.status_code == 403 and save.json["status"] == "forbidden"
    page = alice.get(f"/exam/attempt/{attempt.id}")
    assert page.status_code == 302 and page.headers["Location"].endswith("/exam/")
    bob = login(app, world.bob)
    bob.post(f"/exam/{world.exam.id}/start")
    assert db.session.scalar(select(db.func.count()).select_from(Attempt)) == 1
    assert bob.get(f"/exam/{world.exam.id}/start", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 405
    bob.post(f"/exam/{world.exam.id}/start", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert db.session.scalar(select(db.func.count()).select_from(Attempt)) == 2


def test_event_log_records_the_attempt_and_shows_it_to_the_admin(world, app):
    alice = login(app, world.alice)
    alice.post(f"/exam/{world.exam.id}/start")
    attempt = db.session.scalars(select(Attempt)).one()
    alice.get(f"/exam/attempt/{attempt.id}", headers={"User-Agent": "Tab-One"})
    db.session.refresh(attempt)
    url = f"/exam/attempt/{attempt.id}/save"
    alice.post(url, json={"token": attempt.session_token, "position": 1, "seq": 1, "response": None})
    alice.post(url, json={"token": attempt.session_token, "position": 1, "seq": 1, "response": None})
    for kind in ("focus_lost", "focus_regained", "offline", "reconnect", "nonsense"):
        assert alice.post(f"/exam/attempt/{attempt.id}/event", json={"kind": kind}).status_code == 200
    alice.get(f"/exam/attempt/{attempt.id}", headers={"User-Agent": "Tab-Two"})     # a second tab takes over
    alice.post(url, json={"token": "old", "position": 2, "seq": 2, "response": None})
    alice.post(f"/exam/attempt/{attempt.id}/submit")
    alice.post(f"/exam/attempt/{attempt.id}/submit")
    assert _kinds(attempt.id) == ["start", "page_open", "save", "save", "focus_lost", "focus_regained", "offline",
                                  "reconnect", "takeover", "save", "submit", "submit_repeated"]
    saves = db.session.scalars(select(AttemptEvent).where(AttemptEvent.kind == "save")
                               .order_by(AttemptEvent.id)).all()
    assert [(e.detail["seq"], e.detail["status"]) for e in saves] == [(1, "saved"), (1, "stale"), (2, "conflict")]
    takeover = db.session.scalars(select(AttemptEvent).where(AttemptEvent.kind == "takeover")).one()
    assert (takeover.ip, takeover.user_agent) == ("127.0.0.1", "Tab-Two")
    admin = login(app, world.admin)
    page = admin.get(f"/exam/admin/{world.exam.id}/attempt/{attempt.id}").get_data(as_text=True)
    assert "takeover" in page and "Tab-Two" in page and "focus_lost" in page
    outsider = login(app, world.olga)
    assert outsider.get(f"/exam/admin/{world.exam.id}/attempt/{attempt.id}").status_code == 403
    assert outsider.post(f"/exam/attempt/{attempt.id}/event", json={"kind": "focus_lost"}).status_code == 404


def test_service_start_checks_address_and_password(world):
    world.exam.allowed_networks = "10.0.0.0/8"
    access.set_password(world.exam, "pw")
    for password, address in (("pw", "192.168.0.1"), ("bad", "10.0.0.1"), (None, "10.0.0.1")):
        try:
            services.start_attempt(world.exam, world.alice, password, address)
            raise AssertionError("should refuse")
        except services.ExamError:
            pass
    assert services.start_attempt(world.exam, world.alice, "pw", "10.0.0.1").id
