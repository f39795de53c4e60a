"""Practice quizzes for self-study: drawn from the approved questions of the banks of
the person's own agency line (the banks an official test of theirs would draw from),
graded at once with the explanation and the legal reference, never official
(a separate table: nothing here reaches results, ratings or item analysis)."""
import random
from fractions import Fraction

from sqlalchemy import select

from accounts.models import Agency
from exam.models import PracticeQuiz
from exam.services import ExamError
from extensions import db
from question_bank.models import Question, QuestionBank, QuestionStatus, QuestionVersion
from scoring.grading import grade_response

PRACTICE_TYPES = ("multichoice", "truefalse", "shortanswer", "numerical")
MAX_QUESTIONS = 50


def banks_for(user) -> list[QuestionBank]:
    """Banks owned by the user's agency or an agency above it."""
    ids = [int(x) for x in user.agency.path.strip("/").split("/") if x]
    stmt = select(QuestionBank).join(Agency, Agency.id == QuestionBank.agency_id).where(Agency.id.in_(ids))
    return list(db.session.scalars(stmt.order_by(QuestionBank.name)))


def start_practice(user, bank: QuestionBank, count: int = 10, rng=None) -> PracticeQuiz:
    """A new quiz of up to ``count`` approved questions of the bank (objective types)."""
    if bank.id not in {b.id for b in banks_for(user)}:
        raise ExamError("bank out of reach")
    stmt = (select(QuestionVersion.id).join(Question, Question.current_version_id == QuestionVersion.id)
            .where(Question.bank_id == bank.id, Question.status == QuestionStatus.APPROVED,
                   QuestionVersion.qtype.in_(PRACTICE_TYPES)).order_by(QuestionVersion.id))
    pool = list(db.session.scalars(stmt))
    if not pool:
        raise ExamError("no question to practise")
    items = (rng or random.SystemRandom()).sample(pool, min(count, len(pool), MAX_QUESTIONS))
    quiz = PracticeQuiz(user_id=user.id, bank_id=bank.id, items=items, answers={})
    db.session.add(quiz)
    db.session.flush()
    return quiz


def response_from_form(version: QuestionVersion, form, name: str) -> dict | None:
    """The response of a plain HTML form (the practice page needs no script)."""
    if version.qtype == "multichoice":
        if (version.payload or {}).get("single", True):
            choice = form.get(name)
            return {"choice": choice} if choice else None
        return {"choices": form.getlist(name)}
    if version.qtype == "truefalse":
        value = form.get(name)
        return {"value": value == "true"} if value in ("true", "false") else None
    text = (form.get(name) or "").strip()
    return {"text": text} if text else None


def answer(quiz: PracticeQuiz, position: int, response) -> dict:
    """Grade one answer at once and keep it (a second answer to the same question
    replaces the first: it is practice).  Returns the stored entry."""
    if not 1 <= position <= len(quiz.items):
        raise ExamError("no such question")
    version = db.session.get(QuestionVersion, quiz.items[position - 1])
    result = grade_response(version.qtype, version.payload, response)
    entry = {"response": response, "fraction": None if result.fraction is None else str(result.fraction)}
    quiz.answers = {**(quiz.answers or {}), str(position): entry}
    return entry


def score(quiz: PracticeQuiz) -> tuple[Fraction, int]:
    """(points, questions): the sum of the answered questions' fractions, one point each."""
    total = sum((Fraction(a["fraction"]) for a in (quiz.answers or {}).values() if a.get("fraction")), Fraction(0))
    return total, len(quiz.items)
