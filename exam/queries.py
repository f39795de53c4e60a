"""Reads of the exam feature."""
from sqlalchemy import select

from accounts.models import Role, User
from accounts.permissions import agency_scope
from exam.models import Attempt, Exam, ExamState
from exam.services import is_eligible
from extensions import db
from text_utils import person_sort_key

ADMIN_ROLES = (Role.EXAM_ADMIN,)


def exams_for_examinee(user) -> list[tuple[Exam, Attempt | None]]:
    """Open exams whose audience includes ``user``, and any exam the user has an attempt in."""
    attempts = {a.exam_id: a for a in db.session.scalars(select(Attempt).where(Attempt.user_id == user.id))}
    open_exams = db.session.scalars(select(Exam).where(Exam.state == ExamState.OPEN).order_by(Exam.window_start))
    listed = [(e, attempts.get(e.id)) for e in open_exams if is_eligible(e, user) or e.id in attempts]
    seen = {e.id for e, _ in listed}
    listed += [(a.exam, a) for a in attempts.values() if a.exam_id not in seen]
    return listed


def exams_in_scope(user) -> list[Exam]:
    stmt = select(Exam).join(Exam.agency).where(agency_scope(user, *ADMIN_ROLES))
    return list(db.session.scalars(stmt.order_by(Exam.year.desc(), Exam.code)))


def versions_of(slots) -> list:
    """Load the question versions of ``slots`` in one query; the slots' ``version``
    then resolve from the session's identity map (keep the returned list alive)."""
    from question_bank.models import QuestionVersion

    ids = [s.version_id for s in slots]
    return list(db.session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(ids)))) if ids else []


def attempts_of(exam: Exam) -> list[Attempt]:
    """The exam's attempts by the sitter's name in Vietnamese order (DECISIONS 23)."""
    rows = db.session.execute(select(Attempt, User.full_name).join(User, Attempt.user_id == User.id)
                              .where(Attempt.exam_id == exam.id)).all()
    return [a for a, _name in sorted(rows, key=lambda r: (person_sort_key(r[1]), r[0].id))]
