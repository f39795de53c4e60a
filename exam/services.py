"""Writes of the exam feature: building exams, starting, saving, submitting, closing.

The delivery rules (DECISIONS.md 12): opening an attempt issues an attempt-session
token; a save carries (token, slot, seq) and is applied only when the token is current
and seq is above the slot's stored seq — one conditional UPDATE, so two tabs or a
replayed request can never overwrite a newer answer.  Submitting is a conditional
state change, so pressing submit in any number of tabs gives exactly one result.
"""
import random
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
from exam.models import Attempt, AttemptSlot, AttemptState, BlueprintRule, Exam, ExamAudience, ExamState
from extensions import db
from question_bank.queries import approved_versions
from scoring.grading import SlotInput, grade_attempt

MAX_RESPONSE_CHARS = 20_000


class ExamError(Exception):
    """A user-facing refusal (not enough questions, window closed …)."""


@dataclass(frozen=True)
class SaveResult:
    status: str   # "saved" | "stale" | "conflict" | "closed" | "invalid"
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


def check_feasible(exam: Exam) -> list[str]:
    """Problems that make the blueprint impossible to draw (empty when it can be drawn)."""
    problems = []
    for rule in exam.rules:
        pool = approved_versions(rule.category, rule.include_subcategories)
        if len(pool) < rule.count:
            problems.append(_("%(path)s: %(asked)d asked, %(available)d approved available",
                              path=rule.category.path, asked=rule.count, available=len(pool)))
    if not exam.rules:
        problems.append(_("The blueprint has no rule."))
    return problems


def open_exam(exam: Exam, user) -> None:
    problems = check_feasible(exam)
    if problems:
        raise ExamError("; ".join(problems))
    exam.state = ExamState.OPEN
    audit.record("exam.open", exam, actor=user, after={"state": "open"})


def close_exam(exam: Exam, user) -> None:
    exam.state = ExamState.CLOSED
    audit.record("exam.close", exam, actor=user, after={"state": "closed"})


def draw_slots(exam: Exam, seed: int) -> list[AttemptSlot]:
    """The attempt's questions: ``count`` approved versions per rule, drawn without
    repetition with ``random.Random(seed)``; the order and each question's option order
    are shuffled when the exam (and, per question, ``shuffle_answers``) allows.
    Deterministic in ``seed``, so a stored seed reproduces the paper."""
    rng, chosen, slots = random.Random(seed), set(), []
    for rule in exam.rules:
        pool = [v for v in approved_versions(rule.category, rule.include_subcategories) if v.id not in chosen]
        if len(pool) < rule.count:
            raise ExamError(f"{rule.category.path}: {rule.count} > {len(pool)}")
        for version in rng.sample(pool, rule.count):
            chosen.add(version.id)
            slots.append(AttemptSlot(version=version, mark=rule.mark, choice_order=_choice_order(exam, version, rng)))
    if exam.shuffle_questions:
        rng.shuffle(slots)
    for position, slot in enumerate(slots, start=1):
        slot.position = position
    return slots


def _choice_order(exam, version, rng) -> list | None:
    payload = version.payload or {}
    if version.qtype == "multichoice":
        ids = [a["id"] for a in payload.get("answers", [])]
    elif version.qtype == "matching":
        ids = sorted({s["answer"] for s in payload.get("subquestions", [])})
    elif version.qtype == "ordering":
        ids = [i["id"] for i in payload.get("items", [])]
        rng.shuffle(ids)  # ordering questions are always shown out of order
        return ids
    else:
        return None
    if exam.shuffle_answers and payload.get("shuffle_answers", True):
        rng.shuffle(ids)
    return ids


def start_attempt(exam: Exam, user) -> Attempt:
    """The user's attempt, created on first call (questions drawn, deadline fixed).

    A second call — reload, second tab, second device — returns the same attempt.
    Raises :class:`ExamError` outside the window or audience.
    """
    existing = find_attempt(exam, user)
    if existing is not None:
        return existing
    if not window_open(exam) or not is_eligible(exam, user):
        raise ExamError("closed")
    now = utcnow()
    deadline = now + timedelta(minutes=exam.duration_minutes)
    if exam.window_end is not None:
        deadline = min(deadline, exam.window_end)
    seed = secrets.randbits(31)
    attempt = Attempt(exam=exam, user_id=user.id, seed=seed, started_at=now, deadline=deadline,
                      slots=draw_slots(exam, seed), session_token=secrets.token_hex(16))
    db.session.add(attempt)
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent start by the same person won
        db.session.rollback()
        return find_attempt(exam, user)
    audit.record("attempt.start", attempt, actor=user, after={"seed": seed, "deadline": deadline.isoformat()})
    return attempt


def find_attempt(exam: Exam, user) -> Attempt | None:
    return db.session.scalars(select(Attempt).where(Attempt.exam_id == exam.id, Attempt.user_id == user.id)).first()


def take_over(attempt: Attempt) -> str:
    """Issue a new attempt-session token: the page that calls it becomes the only one
    whose saves count; others get a 409 and offer a reload (DECISIONS.md 12)."""
    attempt.session_token = secrets.token_hex(16)
    return attempt.session_token


def accepts_saves(attempt: Attempt, now=None) -> bool:
    grace = timedelta(seconds=current_app.config["ATTEMPT_GRACE_SECONDS"])
    return attempt.state == AttemptState.IN_PROGRESS and (now or utcnow()) <= attempt.deadline + grace


def save_answer(attempt: Attempt, token: str, position: int, seq: int, response, flagged=None) -> SaveResult:
    """Store one answer if (token, seq) are current; idempotent for a repeated seq."""
    slot = next((s for s in attempt.slots if s.position == position), None)
    if slot is None or not _valid_response(response):
        return SaveResult("invalid", 0)
    if not accepts_saves(attempt):
        return SaveResult("closed", slot.saved_seq)
    if not secrets.compare_digest(token or "", attempt.session_token):
        return SaveResult("conflict", slot.saved_seq)
    values = {"response": response, "saved_seq": seq, "saved_at": utcnow()}
    if flagged is not None:
        values["flagged"] = bool(flagged)
    done = db.session.execute(update(AttemptSlot).where(AttemptSlot.id == slot.id, AttemptSlot.saved_seq < seq)
                              .values(**values).execution_options(synchronize_session=False))
    db.session.expire(slot)
    return SaveResult("saved" if done.rowcount == 1 else "stale", max(seq, slot.saved_seq))


def _valid_response(response) -> bool:
    import json

    return response is None or (isinstance(response, dict) and len(json.dumps(response)) <= MAX_RESPONSE_CHARS)


def finish_attempt(attempt: Attempt, state: AttemptState = AttemptState.SUBMITTED, actor=None) -> bool:
    """Close and grade the attempt once.  Returns False when it was already closed
    (a second submit, another tab, the deadline job) — the first result stands."""
    done = db.session.execute(update(Attempt).where(Attempt.id == attempt.id,
                                                    Attempt.state == AttemptState.IN_PROGRESS)
                              .values(state=state, finished_at=utcnow()).execution_options(synchronize_session=False))
    db.session.refresh(attempt)
    if done.rowcount != 1:
        return False
    grade(attempt)
    audit.record(f"attempt.{state.value}", attempt, actor=actor,
                 after={"score": str(attempt.score), "max": str(attempt.max_score), "passed": attempt.passed})
    return True


def grade(attempt: Attempt) -> None:
    """Grade every slot with :mod:`scoring` and store the totals (objective questions
    at once; essays wait for a marker and count 0 until marked)."""
    inputs = [SlotInput(mark=s.mark, qtype=s.version.qtype, payload=s.version.payload, response=s.response,
                        manual_fraction=s.fraction if s.grade_state == "manual" else None) for s in attempt.slots]
    result = grade_attempt(inputs, pass_fraction=attempt.exam.pass_fraction)
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
    """Close every overdue attempt (the ``flask exam close-overdue`` cron job); returns how many."""
    now = now or utcnow()
    grace = timedelta(seconds=current_app.config["ATTEMPT_GRACE_SECONDS"])
    overdue = db.session.scalars(select(Attempt).where(Attempt.state == AttemptState.IN_PROGRESS,
                                                       Attempt.deadline < now - grace)).all()
    return sum(finish_attempt(a, AttemptState.TIMED_OUT) for a in overdue)


def create_exam(form, bank, user) -> Exam:
    """A draft exam from the exam form and its blueprint rules (flushes)."""
    exam = Exam(code=form.code.data, title=form.title.data, year=form.year.data, agency_id=form.agency.data,
                bank=bank, duration_minutes=form.duration_minutes.data,
                pass_fraction=Fraction(form.pass_percent.data) / 100,
                window_start=form.window_start_utc(), window_end=form.window_end_utc(),
                shuffle_questions=form.shuffle_questions.data, shuffle_answers=form.shuffle_answers.data,
                created_by_id=user.id)
    for i, rule in enumerate(form.rules.data):
        if rule["category"] and rule["count"]:
            exam.rules.append(BlueprintRule(position=i, category_id=rule["category"], count=rule["count"],
                                            mark=Fraction(str(rule["mark"]))))
    for agency_id in form.audience_agencies.data:
        exam.audience.append(ExamAudience(agency_id=agency_id, position=form.audience_position.data or None))
    db.session.add(exam)
    db.session.flush()
    audit.record("exam.create", exam, actor=user, after={"code": exam.code, "rules": len(exam.rules)})
    return exam
