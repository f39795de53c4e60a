"""Factories returning saved objects (the Indico pattern: callables with defaults)."""
from fractions import Fraction

from accounts.models import Agency, AgencyKind, Role, RoleAssignment, StaffCategory, User
from exam.models import BlueprintRule, Exam, ExamAudience, ExamState
from extensions import db
from question_bank.formats.model import ParsedQuestion
from question_bank.models import QuestionBank, QuestionStatus
from question_bank.services import add_question

PASSWORD = "Test-password-1"


def agency(code, parent=None, kind="department", rating_unit=False) -> Agency:
    a = Agency(code=code, name=f"Agency {code}", kind=AgencyKind(kind), parent=parent, is_rating_unit=rating_unit)
    db.session.add(a)
    db.session.flush()
    a.set_path()
    return a


def user(username, agency_, *, roles=(), leader=False, category="civil_servant", position="Chuyên viên",
         quota_group="chuyen-vien") -> User:
    u = User(username=username, full_name=username.title(), agency=agency_, position=position,
             staff_category=StaffCategory(category), is_leader=leader, quota_group=quota_group)
    u.set_password(PASSWORD)
    u.roles = [RoleAssignment(role=Role(r), agency=a) for r, a in roles]
    db.session.add(u)
    db.session.flush()
    return u


def mc(name, key=0, n=4, category=("Chung",), shuffle=True) -> ParsedQuestion:
    answers = [{"id": chr(97 + i), "text": f"{name} option {i}", "fraction": "1" if i == key else "0",
                "feedback": ""} for i in range(n)]
    return ParsedQuestion(qtype="multichoice", name=name, text=f"<p>{name}?</p>", category=category,
                          payload={"single": True, "shuffle_answers": shuffle, "answer_numbering": "ABCD",
                                   "answers": answers})


def matching(name, pairs, distractors=(), category=("Chung",)) -> ParsedQuestion:
    """``pairs``: [(item, answer)]; ``distractors``: extra wrong answers."""
    subs = [{"id": str(i), "text": text, "answer": answer} for i, (text, answer) in enumerate(pairs, start=1)]
    subs += [{"id": str(len(subs) + i), "text": "", "answer": a} for i, a in enumerate(distractors, start=1)]
    return ParsedQuestion(qtype="matching", name=name, text=f"<p>{name}</p>", category=category,
                          payload={"shuffle_answers": True, "subquestions": subs})


def ordering(name, items, grading=None, category=("Chung",)) -> ParsedQuestion:
    """``items`` in the right order."""
    payload = {"items": [{"id": str(i), "text": t} for i, t in enumerate(items, start=1)]}
    if grading:
        payload["grading"] = grading
    return ParsedQuestion(qtype="ordering", name=name, text=f"<p>{name}</p>", category=category, payload=payload)


def cloze(name, source, category=("Chung",)) -> ParsedQuestion:
    """A cloze question from text in Moodle's syntax (``{1:MULTICHOICE:=a~b}``)."""
    from question_bank.formats.cloze import parse_parts

    text, parts = parse_parts(source)
    return ParsedQuestion(qtype="cloze", name=name, text=text, category=category, payload={"parts": parts})


def question(bank_, parsed, status=QuestionStatus.APPROVED, user_=None):
    """One question in ``bank_`` with the review status given explicitly (approved by default:
    factories have no reviewer; pass DRAFT or IN_REVIEW to test the workflow)."""
    return add_question(bank_, parsed, user_, status)


def bank(owner, questions, code="B1", status=QuestionStatus.APPROVED) -> QuestionBank:
    """A bank of ``questions``, each stored with review ``status`` (approved by default)."""
    b = QuestionBank(code=code, name=f"Bank {code}", agency=owner)
    db.session.add(b)
    db.session.flush()
    for q in questions:
        add_question(b, q, None, status)
    db.session.flush()
    return b


def exam(bank_, owner, rules, *, window=None, duration=60, state=ExamState.OPEN, code="E1") -> Exam:
    """``rules``: [(category, count, mark)]; ``window``: (start, end) aware datetimes."""
    from datetime import timedelta

    from db_types import utcnow
    start, end = window or (utcnow() - timedelta(hours=1), utcnow() + timedelta(days=1))
    e = Exam(code=code, title=f"Exam {code}", year=2026, agency=owner, bank=bank_, duration_minutes=duration,
             window_start=start, window_end=end, state=state, shuffle_questions=True, shuffle_answers=True)
    for i, (cat, count, mark) in enumerate(rules):
        e.rules.append(BlueprintRule(position=i, category=cat, count=count, mark=Fraction(mark)))
    e.audience.append(ExamAudience(agency=owner))
    db.session.add(e)
    db.session.flush()
    return e
