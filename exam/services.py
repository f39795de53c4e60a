"""Writes of the exam feature: building exams, starting, saving, submitting, closing.

The delivery rules (DECISIONS.md 12): opening an attempt issues an attempt-session
token; a save carries (token, slot, seq) and is applied only when the token is current
and seq is above the slot's stored seq — one conditional UPDATE, so two tabs or a
replayed request can never overwrite a newer answer.  Submitting is a conditional
state change, so pressing submit in any number of tabs gives exactly one result.
"""
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from accounts import audit
from db_types import utcnow
from exam import access, events, papers
from exam.models import (Accommodation, Attempt, AttemptEvent, AttemptSlot, AttemptState, BlueprintRule, Exam,
                         ExamAudience, ExamState, LateSave, Paper)
from extensions import db
from scoring.grading import SlotInput, grade_attempt, grade_response

MAX_RESPONSE_CHARS = 20_000


class ExamError(Exception):
    """A refusal whose text can be shown to the user (window closed, wrong password …)."""


@dataclass(frozen=True)
class SaveResult:
    status: str   # "saved" | "stale" | "conflict" | "locked" | "late" | "closed" | "invalid"
    seq: int


def is_eligible(exam: Exam, user) -> bool:
    """True when ``user`` belongs to the exam's audience (agency subtree and position)."""
    rows = [(r.agency, r.position) for r in exam.audience] or [(exam.agency, None)]
    for agency, position in rows:
        agency_ok = agency is None or user.agency.path.startswith(agency.path)
        if agency_ok and (not position or position == user.position):
            return True
    return False


def window_open(exam: Exam, now=None) -> bool:
    now = now or utcnow()
    return (exam.state == ExamState.OPEN and (exam.window_start is None or exam.window_start <= now)
            and (exam.window_end is None or now <= exam.window_end))


def check_feasible(exam: Exam) -> list[papers.Problem]:
    """Problems that make the blueprint impossible to draw for some candidate (empty when
    every paper can be drawn); see :func:`exam.papers.check_feasible`."""
    return papers.check_feasible(exam)


def open_exam(exam: Exam, user) -> None:
    problems = check_feasible(exam)
    if problems:
        raise ExamError("; ".join(str(p) for p in problems))
    exam.state = ExamState.OPEN
    audit.record("exam.open", exam, actor=user, after={"state": "open"})


def close_exam(exam: Exam, user) -> None:
    exam.state = ExamState.CLOSED
    audit.record("exam.close", exam, actor=user, after={"state": "closed"})


def draw_slots(exam: Exam, seed: int, seen=frozenset()) -> list[AttemptSlot]:
    """The attempt's questions for ``seed`` (see :func:`exam.papers.draw`); raises ExamError."""
    try:
        return papers.draw(exam, seed, seen)
    except papers.DrawError as exc:
        raise ExamError(str(exc)) from exc


def start_attempt(exam: Exam, user, password: str | None = None, address: str | None = None) -> Attempt:
    """The user's attempt, created on first call (paper read or drawn, deadline fixed).

    A second call — reload, second tab, second device — returns the same attempt.
    Raises :class:`ExamError` outside the window or audience, for a wrong exam password
    or an address outside the exam's allowed ranges.  Extra time (an accommodation) is
    added to the duration and to the window's end.
    """
    existing = find_attempt(exam, user)
    if existing is not None:
        return existing
    if not window_open(exam) or not is_eligible(exam, user):
        raise ExamError(_("This test is not open to you now."))
    if address is not None and not access.address_allowed(exam, address):
        raise ExamError(_("This test can only be taken from the exam rooms' network."))
    if not access.password_ok(exam, password):
        raise ExamError(_("The exam password is wrong."))
    now = utcnow()
    extra = accommodation_seconds(exam, user)
    deadline = now + timedelta(minutes=exam.duration_minutes, seconds=extra)
    if exam.window_end is not None:
        deadline = min(deadline, exam.window_end + timedelta(seconds=extra))
    paper = db.session.scalars(select(Paper).where(Paper.exam_id == exam.id, Paper.user_id == user.id)).first()
    if paper is not None:
        seed, slots = paper.seed, papers.slots_from_paper(paper)
    else:
        seed = secrets.randbits(31)
        slots = draw_slots(exam, seed, papers.seen_questions(exam, [user.id])[user.id])
    attempt = Attempt(exam=exam, user_id=user.id, seed=seed, started_at=now, deadline=deadline,
                      slots=slots, session_token=secrets.token_hex(16), extra_seconds=extra)
    db.session.add(attempt)
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent start by the same person won
        db.session.rollback()
        return find_attempt(exam, user)
    events.log(attempt.id, "start", paper=paper is not None, extra_seconds=extra)
    audit.record("attempt.start", attempt, actor=user, after={"seed": seed, "deadline": deadline.isoformat()})
    return attempt


def accommodation_seconds(exam: Exam, user) -> int:
    acc = db.session.scalars(select(Accommodation).where(Accommodation.exam_id == exam.id,
                                                         Accommodation.user_id == user.id)).first()
    return acc.extra_seconds(exam.duration_minutes) if acc else 0


def find_attempt(exam: Exam, user) -> Attempt | None:
    return db.session.scalars(select(Attempt).where(Attempt.exam_id == exam.id, Attempt.user_id == user.id)).first()


def take_over(attempt: Attempt) -> str:
    """Issue a new attempt-session token: the page that calls it becomes the only one
    whose saves count; others get a 409 and offer a reload (DECISIONS.md 12).  The
    first page opened logs "page_open", every later one "takeover"."""
    opened = db.session.scalar(select(AttemptEvent.id).where(AttemptEvent.attempt_id == attempt.id,
                                                             AttemptEvent.kind.in_(("page_open", "takeover")))
                               .limit(1))
    attempt.session_token = secrets.token_hex(16)
    events.log(attempt.id, "takeover" if opened else "page_open")
    return attempt.session_token


def remaining_seconds(attempt: Attempt, now=None) -> int:
    """Whole seconds left; the clock stands still while the attempt is paused."""
    reference = attempt.paused_at or now or utcnow()
    return max(0, int((attempt.deadline - reference).total_seconds()))


def past_grace(attempt: Attempt, now=None) -> bool:
    grace = timedelta(seconds=current_app.config["ATTEMPT_GRACE_SECONDS"])
    return attempt.paused_at is None and (now or utcnow()) > attempt.deadline + grace


def accepts_saves(attempt: Attempt, now=None) -> bool:
    return attempt.state == AttemptState.IN_PROGRESS and not past_grace(attempt, now)


def save_answer(attempt: Attempt, token: str, position: int, seq: int, response, flagged=None) -> SaveResult:
    """Store one answer if (token, seq) are current; idempotent for a repeated seq.

    Statuses: saved, stale (an equal or newer seq is stored), conflict (another page
    took over), locked (sequential navigation has moved past this question), late (after
    the deadline plus grace: kept aside as a :class:`LateSave`, not counted), closed,
    invalid.  Every save is logged as an event with its status and seq.
    """
    slot = db.session.scalars(select(AttemptSlot).where(AttemptSlot.attempt_id == attempt.id,
                                                        AttemptSlot.position == position)).first()
    if slot is None or not valid_response(response) or seq < 1:
        return SaveResult("invalid", 0)
    result = _apply_save(attempt, slot, token, seq, response, flagged)
    events.log(attempt.id, "save", position=position, seq=seq, status=result.status)
    return result


def _apply_save(attempt, slot, token, seq, response, flagged) -> SaveResult:
    current = secrets.compare_digest(token or "", attempt.session_token)
    if not accepts_saves(attempt):
        late = (current and attempt.state != AttemptState.SUBMITTED and past_grace(attempt)
                and seq > slot.saved_seq)
        if late:
            db.session.add(LateSave(attempt_id=attempt.id, position=slot.position, seq=seq, response=response))
        return SaveResult("late" if late else "closed", slot.saved_seq)
    if not current:
        return SaveResult("conflict", slot.saved_seq)
    if attempt.exam.navigation == "sequential" and slot.position != attempt.current_position:
        return SaveResult("locked", slot.saved_seq)
    values = {"response": response, "saved_seq": seq, "saved_at": utcnow()}
    if flagged is not None:
        values["flagged"] = bool(flagged)
    done = db.session.execute(update(AttemptSlot).where(AttemptSlot.id == slot.id, AttemptSlot.saved_seq < seq)
                              .values(**values).execution_options(synchronize_session=False))
    stored = seq if done.rowcount == 1 else max(seq, slot.saved_seq)
    db.session.expire(slot)
    return SaveResult("saved" if done.rowcount == 1 else "stale", stored)


def valid_response(response) -> bool:
    """None or a JSON object of at most ``MAX_RESPONSE_CHARS`` characters."""
    return response is None or (isinstance(response, dict) and len(json.dumps(response)) <= MAX_RESPONSE_CHARS)


def has_answer(response) -> bool:
    """True when a stored response says something (the summary page's "answered")."""
    if not response:
        return False
    for key in ("choice", "text"):
        if key in response:
            return str(response[key] or "").strip() != ""
    if "value" in response:
        return isinstance(response["value"], bool)
    return any(bool(response.get(k)) for k in ("choices", "pairs", "order", "parts"))


def next_question(attempt: Attempt, position: int) -> bool:
    """Sequential navigation: move on from ``position`` (once; a repeated press of the
    same button does not skip a question).  Returns True when it moved."""
    last = max((s.position for s in attempt.slots), default=0)
    if position >= last + 1 or not attempt.is_open:
        return False
    done = db.session.execute(update(Attempt).where(Attempt.id == attempt.id, Attempt.current_position == position)
                              .values(current_position=position + 1).execution_options(synchronize_session=False))
    db.session.refresh(attempt)
    if done.rowcount == 1:
        events.log(attempt.id, "next", position=position)
    return done.rowcount == 1


def finish_attempt(attempt: Attempt, state: AttemptState = AttemptState.SUBMITTED, actor=None) -> bool:
    """Close and grade the attempt once.  Returns False when it was already closed
    (a second submit, another tab, the deadline job) — the first result stands."""
    done = db.session.execute(update(Attempt).where(Attempt.id == attempt.id,
                                                    Attempt.state == AttemptState.IN_PROGRESS)
                              .values(state=state, finished_at=utcnow()).execution_options(synchronize_session=False))
    db.session.refresh(attempt)
    if done.rowcount != 1:
        events.log(attempt.id, "submit_repeated", state=attempt.state.value)
        return False
    events.log(attempt.id, "submit" if state == AttemptState.SUBMITTED else "timeout")
    grade(attempt)
    audit.record(f"attempt.{state.value}", attempt, actor=actor,
                 after={"score": str(attempt.score), "max": str(attempt.max_score), "passed": attempt.passed})
    return True


def slot_inputs(attempt: Attempt, versions=None) -> list[SlotInput]:
    """The scoring inputs of an attempt; ``versions`` (slot id → version) grades some
    slots with another version (a corrected key) without changing them."""
    versions = versions or {}
    out = []
    for s in attempt.slots:
        v = versions.get(s.id, s.version)
        out.append(SlotInput(mark=0 if s.excluded else s.mark, qtype=v.qtype, payload=v.payload,
                             response=readable_response(v.qtype, v.payload, s.response),
                             manual_fraction=s.fraction if s.grade_state == "manual" else None))
    return out


def readable_response(qtype: str, payload: dict, response: dict | None) -> dict | None:
    """``response`` when its question type can read it, else None (graded as unanswered).

    A save stores any small JSON object without loading the question (the one-statement
    fast path); a hand-made body of the wrong shape (``{"order": ["1", "1"]}``, an unknown
    choice id) must not make the grading of the attempt — its submit, the close-overdue
    job, a regrade — fail for everyone: it earns nothing instead.  A fault of the payload
    itself still raises (grading an empty response raises too)."""
    if response is None:
        return None
    try:
        grade_response(qtype, payload, response)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return response


def grade(attempt: Attempt) -> None:
    """Grade every slot with :mod:`scoring` and store the totals (objective questions
    at once; essays wait for a marker and count 0 until marked; excluded slots count
    0 of 0)."""
    result = grade_attempt(slot_inputs(attempt), pass_fraction=attempt.exam.pass_fraction)
    for slot, slot_grade in zip(attempt.slots, result.grades):
        if slot.grade_state != "manual":
            slot.fraction, slot.grade_state = slot_grade.fraction, slot_grade.state
    attempt.score, attempt.max_score = result.score, result.max_score
    attempt.passed, attempt.needs_grading = result.passed, result.needs_grading


def close_if_overdue(attempt: Attempt, now=None) -> bool:
    """Lazily close an attempt whose deadline and grace period have passed."""
    if attempt.state == AttemptState.IN_PROGRESS and not accepts_saves(attempt, now):
        return finish_attempt(attempt, AttemptState.TIMED_OUT)
    return False


def close_overdue(now=None) -> int:
    """Close every overdue attempt (the ``flask exam close-overdue`` cron job); returns how many.
    Paused attempts are never overdue."""
    now = now or utcnow()
    grace = timedelta(seconds=current_app.config["ATTEMPT_GRACE_SECONDS"])
    overdue = db.session.scalars(select(Attempt).where(Attempt.state == AttemptState.IN_PROGRESS,
                                                       Attempt.paused_at.is_(None),
                                                       Attempt.deadline < now - grace)).all()
    return sum(finish_attempt(a, AttemptState.TIMED_OUT) for a in overdue)


def create_exam(form, bank, user) -> Exam:
    """A draft exam from the exam form and its blueprint rules (flushes)."""
    exam = Exam(code=form.code.data, title=form.title.data, year=form.year.data, agency_id=form.agency.data,
                bank=bank, duration_minutes=form.duration_minutes.data,
                pass_fraction=Fraction(form.pass_percent.data) / 100,
                window_start=form.window_start_utc(), window_end=form.window_end_utc(),
                shuffle_questions=form.shuffle_questions.data, shuffle_answers=form.shuffle_answers.data,
                navigation=form.navigation.data, avoid_seen_years=form.avoid_seen_years.data or 0,
                allowed_networks=form.allowed_networks.data or "", anonymous_marking=form.anonymous_marking.data,
                double_marking=form.double_marking.data, created_by_id=user.id)
    access.set_password(exam, form.exam_password.data)
    for i, rule in enumerate(form.rules.data):
        if rule["category"] and rule["count"]:
            exam.rules.append(BlueprintRule(position=i, category_id=rule["category"], count=rule["count"],
                                            mark=Fraction(str(rule["mark"])), difficulty=rule.get("difficulty") or None,
                                            qtype=rule.get("qtype") or None))
    for agency_id in form.audience_agencies.data:
        exam.audience.append(ExamAudience(agency_id=agency_id, position=form.audience_position.data or None))
    db.session.add(exam)
    db.session.flush()
    audit.record("exam.create", exam, actor=user, after={"code": exam.code, "rules": len(exam.rules)})
    return exam
