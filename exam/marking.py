"""Marking essays, grade overrides and audited regrades (DECISIONS.md 16).

Single marking: the first marker's points are final.  Double marking: two different
markers mark blind to each other; equal points are final, different points wait for
the exam admin's reconciliation (with a reason).  Every final grade re-totals the
attempt and is audited.

A regrade applies a corrected key (the question's current version) or an exclusion
(the slot counts 0 of 0) to every closed attempt of an exam that asked the question;
its preview lists whose score and pass/fail change before anything is written.
"""
import hashlib
from fractions import Fraction

from flask_babel import gettext as _
from sqlalchemy import select

from accounts import audit
from accounts.permissions import agency_scope
from accounts.models import Agency, Role
from db_types import utcnow
from exam.models import Attempt, AttemptSlot, AttemptState, Exam, Mark, RegradeJob
from exam.services import ExamError, grade, slot_inputs
from extensions import db
from question_bank.models import Question, QuestionStatus, QuestionVersion
from scoring.grading import grade_attempt
from text_utils import person_sort_key

MARKING_ROLES = (Role.MARKER, Role.EXAM_ADMIN)


class OwnAnswer(ExamError):
    """A marker tried to mark their own answer."""


def candidate_code(attempt: Attempt) -> str:
    """A stable pseudonym for anonymous marking (no name, no id in clear)."""
    return "C-" + hashlib.sha256(f"{attempt.exam_id}:{attempt.id}:{attempt.seed}".encode()).hexdigest()[:8].upper()


def marks_needed(exam: Exam) -> int:
    return 2 if exam.double_marking else 1


def is_own(slot: AttemptSlot, user) -> bool:
    """True when ``slot`` is the user's own answer: a marker may sit the exam too, and never
    marks their own paper."""
    return slot.attempt.user_id == user.id


def _queue_order(slot: AttemptSlot) -> tuple:
    """By exam, then the candidate: the pseudonym under anonymous marking (a name order would
    betray names), else the Vietnamese name order (DECISIONS 23); then the question."""
    attempt = slot.attempt
    who = candidate_code(attempt) if attempt.exam.anonymous_marking else person_sort_key(attempt.user.full_name)
    return attempt.exam_id, who, attempt.id, slot.position


def marking_queue(user) -> list[AttemptSlot]:
    """Essay slots of other people's closed attempts in the user's scope still needing this
    user's mark."""
    closed = (AttemptState.SUBMITTED, AttemptState.TIMED_OUT)
    stmt = (select(AttemptSlot).join(Attempt, Attempt.id == AttemptSlot.attempt_id)
            .join(Exam, Exam.id == Attempt.exam_id).join(Agency, Agency.id == Exam.agency_id)
            .where(agency_scope(user, *MARKING_ROLES), Attempt.state.in_(closed), Attempt.user_id != user.id,
                   AttemptSlot.grade_state == "needs_grading").order_by(Attempt.id, AttemptSlot.position))
    out = []
    for slot in db.session.scalars(stmt):
        markers = {m.marker_id for m in slot.marks}
        if user.id not in markers and len(markers) < marks_needed(slot.attempt.exam):
            out.append(slot)
    return sorted(out, key=_queue_order)


def disputed(exam: Exam) -> list[AttemptSlot]:
    """Double-marked slots whose two marks differ and are not reconciled yet."""
    stmt = (select(AttemptSlot).join(Attempt, Attempt.id == AttemptSlot.attempt_id)
            .where(Attempt.exam_id == exam.id, AttemptSlot.grade_state == "needs_grading"))
    return [s for s in db.session.scalars(stmt) if len(s.marks) >= 2 and len({m.points for m in s.marks}) > 1]


def _check_points(slot: AttemptSlot, points: Fraction) -> Fraction:
    points = Fraction(points)
    if not 0 <= points <= slot.mark:
        raise ExamError(f"points must lie between 0 and {slot.mark}")
    return points


def mark_slot(slot: AttemptSlot, marker, points, comment: str = "") -> bool:
    """Record one marker's points; returns True when the slot's grade became final.
    Raises :class:`OwnAnswer` for the marker's own answer."""
    if is_own(slot, marker):
        raise OwnAnswer(_("You cannot mark your own answer: another marker will."))
    points = _check_points(slot, points)
    if any(m.marker_id == marker.id for m in slot.marks):
        raise ExamError("already marked by this marker")
    if len(slot.marks) >= marks_needed(slot.attempt.exam):
        raise ExamError("already marked")
    slot.marks.append(Mark(marker_id=marker.id, points=points, comment=comment))
    db.session.flush()
    audit.record("slot.mark", slot, actor=marker, after={"points": str(points), "round": len(slot.marks)})
    agreed = {m.points for m in slot.marks}
    if len(slot.marks) == marks_needed(slot.attempt.exam) and len(agreed) == 1:
        _finalise(slot, points, comment, marker, "slot.final", "")
        return True
    return False


def set_grade(slot: AttemptSlot, points, reason: str, actor, action: str = "slot.override") -> None:
    """A reconciliation or an override by the exam admin: needs a reason, audited."""
    if not reason.strip():
        raise ExamError("a reason is required")
    _finalise(slot, _check_points(slot, points), slot.manual_comment, actor, action, reason)


def _finalise(slot, points, comment, actor, action, reason) -> None:
    attempt = slot.attempt
    before = {"slot_points": None if slot.fraction is None else str(slot.fraction * slot.mark),
              "score": str(attempt.score), "passed": attempt.passed}
    slot.fraction = points / slot.mark if slot.mark else Fraction(0)
    slot.grade_state, slot.manual_comment = "manual", comment
    grade(attempt)
    audit.record(action, slot, actor=actor, before=before, reason=reason,
                 after={"slot_points": str(points), "score": str(attempt.score), "passed": attempt.passed})


# ---- regrade -------------------------------------------------------------------------

def _affected(exam: Exam, question: Question) -> list[tuple[Attempt, list[AttemptSlot]]]:
    stmt = (select(Attempt).where(Attempt.exam_id == exam.id, Attempt.state != AttemptState.IN_PROGRESS)
            .order_by(Attempt.id))
    out = []
    for attempt in db.session.scalars(stmt):
        slots = [s for s in attempt.slots if s.version.question_id == question.id]
        if slots:
            out.append((attempt, slots))
    return out


def approved_current_version(question: Question) -> QuestionVersion:
    """The version a key regrade grades with: the question's current version, which must be
    approved (a corrected key passes the same review as any edit).  Raises ExamError."""
    current = db.session.get(QuestionVersion, question.current_version_id)
    if current is None or question.status != QuestionStatus.APPROVED:
        import labels

        raise ExamError(_("Version %(n)s of question %(id)d is not approved (it is %(status)s): have it reviewed "
                          "and approved before regrading with it.", n=current.version if current else "—",
                          id=question.id, status=str(labels.QUESTION_STATUSES[question.status.value])))
    return current


def preview_regrade(exam: Exam, question: Question, kind: str, reason: str, actor) -> RegradeJob:
    """Compute, without changing any attempt, every affected person's score and pass/fail
    before and after; stored on a new job in state "preview".  A key regrade needs the
    question's current version approved (ExamError otherwise); an exclusion does not."""
    if kind not in ("key", "exclude") or not reason.strip():
        raise ExamError("kind must be key or exclude, with a reason")
    current = approved_current_version(question) if kind == "key" else None
    rows = []
    for attempt, slots in _affected(exam, question):
        inputs = slot_inputs(attempt, {s.id: current for s in slots} if kind == "key" else None)
        if kind == "exclude":
            ids = {s.id for s in slots}
            inputs = [i if s.id not in ids else type(i)(mark=Fraction(0), qtype=i.qtype, payload=i.payload,
                                                        response=i.response, manual_fraction=i.manual_fraction)
                      for s, i in zip(attempt.slots, inputs)]
        after = grade_attempt(inputs, pass_fraction=exam.pass_fraction)
        rows.append({"attempt": attempt.id, "user": attempt.user.full_name,
                     "score_before": str(attempt.score), "score_after": str(after.score),
                     "max_before": str(attempt.max_score), "max_after": str(after.max_score),
                     "passed_before": attempt.passed, "passed_after": after.passed})
    job = RegradeJob(exam_id=exam.id, question_id=question.id, kind=kind, reason=reason, preview=rows,
                     total=len(rows), created_by_id=actor.id)
    db.session.add(job)
    db.session.flush()
    audit.record("exam.regrade_preview", job, actor=actor, after={"affected": len(rows), "kind": kind}, reason=reason)
    return job


def apply_regrade(job: RegradeJob, actor, progress=None) -> int:
    """Apply a previewed regrade: each affected attempt is changed, re-totalled and
    audited; ``job.done`` counts progress.  Returns how many attempts changed score or
    outcome.  A key regrade is refused (ExamError, nothing changed) unless the question's
    current version is approved at the moment it is applied."""
    if job.state != "preview":
        raise ExamError("this regrade was already applied")
    question = db.session.get(Question, job.question_id)
    current = approved_current_version(question) if job.kind == "key" else None
    job.state = "running"
    changed = 0
    for attempt, slots in _affected(job.exam, question):
        before = (attempt.score, attempt.max_score, attempt.passed)
        for slot in slots:
            if job.kind == "key":
                slot.version_id, slot.version = current.id, current
                if slot.grade_state != "manual":
                    slot.grade_state = None
            else:
                slot.excluded = True
        grade(attempt)
        after = (attempt.score, attempt.max_score, attempt.passed)
        changed += before != after
        audit.record("attempt.regrade", attempt, actor=actor, reason=job.reason,
                     before={"score": str(before[0]), "max": str(before[1]), "passed": before[2]},
                     after={"score": str(after[0]), "max": str(after[1]), "passed": after[2], "job": job.id})
        job.done += 1
        if progress:
            progress(job)
    job.state, job.applied_at = "applied", utcnow()
    audit.record("exam.regrade_apply", job, actor=actor, after={"attempts": job.done, "changed": changed},
                 reason=job.reason)
    return changed
