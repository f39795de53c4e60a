"""Time beyond the plain duration: accommodations (extra time per person), extensions
and pauses of a whole sitting or one person, and late saves.  Every change is audited
with its reason and logged on the attempt (DECISIONS.md 17: the server's deadline is
the only truth; the page re-syncs to it)."""
from datetime import timedelta

from sqlalchemy import select

from accounts import audit
from db_types import utcnow
from exam import events
from exam.models import Accommodation, Attempt, AttemptSlot, AttemptState, Exam, LateSave
from exam.services import ExamError, grade
from extensions import db


def set_accommodation(exam: Exam, user, percent: int, minutes: int, reason: str, actor) -> Accommodation:
    """Give ``user`` extra time (``percent`` of the duration plus ``minutes``).  Before the
    attempt it applies at start; during it the deadline moves by the difference at once."""
    if not reason.strip():
        raise ExamError("a reason is required")
    acc = db.session.scalars(select(Accommodation).where(Accommodation.exam_id == exam.id,
                                                         Accommodation.user_id == user.id)).first()
    before = {"percent": acc.extra_percent, "minutes": acc.extra_minutes} if acc else None
    if acc is None:
        acc = Accommodation(exam_id=exam.id, user_id=user.id)
        db.session.add(acc)
    acc.extra_percent, acc.extra_minutes, acc.reason, acc.created_by_id = percent, minutes, reason, actor.id
    attempt = db.session.scalars(select(Attempt).where(Attempt.exam_id == exam.id, Attempt.user_id == user.id)).first()
    if attempt is not None and attempt.is_open:
        new_extra = acc.extra_seconds(exam.duration_minutes)
        _move_deadline(attempt, new_extra - attempt.extra_seconds, "accommodation", reason, actor)
        attempt.extra_seconds = new_extra
    db.session.flush()
    audit.record("exam.accommodation", acc, actor=actor, before=before,
                 after={"user": user.id, "percent": percent, "minutes": minutes}, reason=reason)
    return acc


def open_attempts(exam: Exam, user_id: int | None = None) -> list[Attempt]:
    stmt = select(Attempt).where(Attempt.exam_id == exam.id, Attempt.state == AttemptState.IN_PROGRESS)
    if user_id is not None:
        stmt = stmt.where(Attempt.user_id == user_id)
    return list(db.session.scalars(stmt.order_by(Attempt.id)))


def _move_deadline(attempt: Attempt, seconds: int, kind: str, reason: str, actor) -> None:
    before = attempt.deadline
    attempt.deadline = attempt.deadline + timedelta(seconds=seconds)
    events.log(attempt.id, kind, seconds=seconds, reason=reason)
    audit.record(f"attempt.{kind}", attempt, actor=actor, before={"deadline": before.isoformat()},
                 after={"deadline": attempt.deadline.isoformat()}, reason=reason)


def extend(attempts: list[Attempt], minutes: int, reason: str, actor) -> int:
    """Move the deadline of each open attempt by ``minutes``; returns how many moved."""
    if not reason.strip() or minutes == 0:
        raise ExamError("a reason and a non-zero number of minutes are required")
    for attempt in attempts:
        _move_deadline(attempt, minutes * 60, "extend", reason, actor)
    return len(attempts)


def pause(attempts: list[Attempt], reason: str, actor) -> int:
    """Stop the clock of each running attempt (the page shows "paused")."""
    if not reason.strip():
        raise ExamError("a reason is required")
    now, n = utcnow(), 0
    for attempt in attempts:
        if attempt.paused_at is None:
            attempt.paused_at, n = now, n + 1
            events.log(attempt.id, "pause", reason=reason)
            audit.record("attempt.pause", attempt, actor=actor, after={"paused_at": now.isoformat()}, reason=reason)
    return n


def resume(attempts: list[Attempt], reason: str, actor) -> int:
    """Restart the clock: the deadline moves by the time spent paused."""
    now, n = utcnow(), 0
    for attempt in attempts:
        if attempt.paused_at is not None:
            seconds = int((now - attempt.paused_at).total_seconds())
            attempt.paused_at, n = None, n + 1
            _move_deadline(attempt, seconds, "resume", reason or "resume", actor)
    return n


def pending_late_saves(exam: Exam) -> list[LateSave]:
    stmt = (select(LateSave).join(Attempt, Attempt.id == LateSave.attempt_id)
            .where(Attempt.exam_id == exam.id, LateSave.state == "pending").order_by(LateSave.id))
    return list(db.session.scalars(stmt))


def decide_late_save(late: LateSave, accept: bool, reason: str, actor) -> None:
    """Accept (the answer replaces the stored one when newer, the attempt is re-graded)
    or reject a late save; audited either way."""
    if late.state != "pending":
        raise ExamError("already decided")
    if not reason.strip():
        raise ExamError("a reason is required")
    attempt = late.attempt
    before = {"score": str(attempt.score), "passed": attempt.passed}
    late.state = "accepted" if accept else "rejected"
    late.decided_by_id, late.decided_at, late.reason = actor.id, utcnow(), reason
    if accept:
        slot = db.session.scalars(select(AttemptSlot).where(AttemptSlot.attempt_id == attempt.id,
                                                            AttemptSlot.position == late.position)).one()
        if late.seq > slot.saved_seq:
            slot.response, slot.saved_seq, slot.saved_at = late.response, late.seq, late.received_at
            if slot.grade_state == "manual":
                slot.grade_state = None
        if not attempt.is_open:
            grade(attempt)
    events.log(attempt.id, f"late_save_{late.state}", position=late.position, seq=late.seq)
    audit.record(f"attempt.late_save_{late.state}", attempt, actor=actor, before=before,
                 after={"score": str(attempt.score), "passed": attempt.passed, "position": late.position,
                        "seq": late.seq}, reason=reason)
