"""Extra time, extensions, pauses and late saves — each audited with its reason."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts.models import AuditLog
from db_types import utcnow
from exam import services, timing
from exam.models import Accommodation, AttemptEvent, AttemptState, LateSave
from extensions import db
from tests.exam.conftest import key_of, login


def _audits(action):
    return db.session.scalars(select(AuditLog).where(AuditLog.action == action)).all()


def test_accommodation_before_the_attempt_adds_to_the_duration(world):
    timing.set_accommodation(world.exam, world.alice, 25, 5, "medical certificate", world.admin)
    attempt = services.start_attempt(world.exam, world.alice)
    # 60 min + 25 % (15 min) + 5 min = 80 min
    assert attempt.deadline - attempt.started_at == timedelta(minutes=80)
    assert attempt.extra_seconds == 20 * 60
    assert _audits("exam.accommodation")[0].reason == "medical certificate"
    with pytest.raises(services.ExamError):
        timing.set_accommodation(world.exam, world.bob, 10, 0, "  ", world.admin)


def test_accommodation_during_the_attempt_moves_the_deadline_by_the_difference(world):
    attempt = services.start_attempt(world.exam, world.alice)
    first = attempt.deadline
    timing.set_accommodation(world.exam, world.alice, 0, 10, "late certificate", world.admin)
    assert attempt.deadline - first == timedelta(minutes=10)
    timing.set_accommodation(world.exam, world.alice, 50, 0, "corrected to 50 %", world.admin)
    assert attempt.deadline - first == timedelta(minutes=30)              # 50 % of 60, not 10 + 30
    assert [a.reason for a in _audits("attempt.accommodation")] == ["late certificate", "corrected to 50 %"]


def test_accommodation_also_extends_past_the_window_end(world):
    end = utcnow().replace(microsecond=0) + timedelta(minutes=20)
    world.exam.window_end = end
    timing.set_accommodation(world.exam, world.alice, 0, 15, "dyslexia", world.admin)
    assert services.start_attempt(world.exam, world.alice).deadline == end + timedelta(minutes=15)


def test_extend_the_whole_sitting_or_one_person(world):
    a = services.start_attempt(world.exam, world.alice)
    b = services.start_attempt(world.exam, world.bob)
    da, db_ = a.deadline, b.deadline
    assert timing.extend(timing.open_attempts(world.exam), 10, "power cut in room 2", world.admin) == 2
    assert (a.deadline - da, b.deadline - db_) == (timedelta(minutes=10), timedelta(minutes=10))
    timing.extend(timing.open_attempts(world.exam, world.bob.id), 5, "browser crash", world.admin)
    assert (a.deadline - da, b.deadline - db_) == (timedelta(minutes=10), timedelta(minutes=15))
    assert [x.reason for x in _audits("attempt.extend")] == ["power cut in room 2"] * 2 + ["browser crash"]
    with pytest.raises(services.ExamError):
        timing.extend([a], 5, "", world.admin)


def test_pause_freezes_the_clock_and_resume_moves_the_deadline(world, app):
    attempt = services.start_attempt(world.exam, world.alice)
    deadline = attempt.deadline
    assert timing.pause([attempt], "fire alarm", world.admin) == 1
    attempt.paused_at = attempt.paused_at - timedelta(minutes=7)          # seven minutes pass
    frozen = services.remaining_seconds(attempt)
    assert frozen == int((deadline - attempt.paused_at).total_seconds())
    # paused past its deadline: neither the cron job nor a save closes it
    attempt.deadline = utcnow() - timedelta(hours=1)
    assert services.close_overdue() == 0 and services.accepts_saves(attempt)
    attempt.deadline = deadline
    timing.resume([attempt], "alarm over", world.admin)
    assert attempt.paused_at is None
    assert abs((attempt.deadline - deadline) - timedelta(minutes=7)) < timedelta(seconds=2)
    kinds = [e.kind for e in db.session.scalars(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt.id))]
    assert kinds[-2:] == ["pause", "resume"]


def _late(world, app):
    attempt = services.start_attempt(world.exam, world.alice)
    token = attempt.session_token
    slot = attempt.slots[0]
    assert services.save_answer(attempt, token, 1, 1, {"choice": key_of(slot)}).status == "saved"
    attempt.deadline = utcnow() - timedelta(seconds=app.config["ATTEMPT_GRACE_SECONDS"] + 5)
    assert services.close_overdue() == 1
    assert attempt.score == 2
    second = attempt.slots[1]
    assert services.save_answer(attempt, token, 2, 2, {"choice": key_of(second)}).status == "late"
    db.session.commit()
    return attempt, db.session.scalars(select(LateSave)).one()


def test_late_save_accepted_regrades_and_is_audited(world, app):
    attempt, late = _late(world, app)
    assert (attempt.score, attempt.state) == (2, AttemptState.TIMED_OUT)   # not counted yet
    assert timing.pending_late_saves(world.exam) == [late]
    timing.decide_late_save(late, True, "server queue delay proven in the logs", world.admin)
    assert attempt.score == 4 and attempt.slots[1].saved_seq == 2
    audit = _audits("attempt.late_save_accepted")[0]
    assert (audit.before["score"], audit.after["score"]) == ("2", "4")
    with pytest.raises(services.ExamError):
        timing.decide_late_save(late, False, "again", world.admin)


def test_late_save_rejected_changes_nothing(world, app):
    attempt, late = _late(world, app)
    timing.decide_late_save(late, False, "sent after the end", world.admin)
    assert (attempt.score, attempt.slots[1].response, late.state) == (2, None, "rejected")
    assert timing.pending_late_saves(world.exam) == []


def test_admin_pages_for_time_and_late_saves(world, app):
    _attempt, late = _late(world, app)
    admin = login(app, world.admin)
    page = admin.get(f"/exam/admin/{world.exam.id}").get_data(as_text=True)
    assert f"/late/{late.id}" in page
    assert admin.post(f"/exam/admin/{world.exam.id}/late/{late.id}",
                      data={"accept": "1", "reason": "ok"}).status_code == 302
    db.session.refresh(late)
    assert late.state == "accepted"
    b = services.start_attempt(world.exam, world.bob)
    db.session.commit()
    deadline = b.deadline
    r = admin.post(f"/exam/admin/{world.exam.id}/time", data={"action": "extend", "minutes": 5, "reason": "network"})
    assert r.status_code == 302
    db.session.refresh(b)
    assert b.deadline - deadline == timedelta(minutes=5)
    r = admin.post(f"/exam/admin/{world.exam.id}/time",
                   data={"action": "pause", "reason": "alarm", "attempt_id": b.id})
    db.session.refresh(b)
    assert b.paused_at is not None
    bob = login(app, world.bob)
    state = bob.get(f"/exam/attempt/{b.id}/state").json
    assert state["paused"] is True
    r = admin.post(f"/exam/admin/{world.exam.id}/accommodation",
                   data={"username": "olga", "extra_percent": 10, "extra_minutes": 0, "reason": "x"})
    assert r.status_code == 302                                          # olga is not in the audience
    assert db.session.scalar(select(db.func.count()).select_from(Accommodation)) == 0
    # another exam admin's page is out of reach for an examinee
    assert bob.post(f"/exam/admin/{world.exam.id}/time", data={"action": "resume", "reason": "x"}).status_code == 403
