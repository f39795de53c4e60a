"""A small exam worked by hand: three one-mark questions (keys "a") and four people.

    person  agency  position  Q1  Q2  Q3  score  %
    an      A       Kế toán   a   a   a   3      100
    binh    A       CV        a   a   b   2      66.7
    chi     B       CV        a   b   c   1      33.3
    dung    B       CV        b   b   b   0      0

Agencies: P (root) → A, B. ``admin`` is exam admin at P; ``hr`` is HR officer at A.
"""
import pytest

from exam import services as exam_services
from exam.models import AttemptState
from extensions import db
from tests import factories as f

ANSWERS = {"an": "aaa", "binh": "aab", "chi": "abc", "dung": "bbb"}


@pytest.fixture
def small(app):
    p = f.agency("P", kind="province")
    a, b = f.agency("A", parent=p), f.agency("B", parent=p)
    admin = f.user("admin1", p, roles=[("exam_admin", p)])
    hr = f.user("hr1", a, roles=[("hr_officer", a)])
    people = {"an": f.user("an", a, position="Kế toán"), "binh": f.user("binh", a),
              "chi": f.user("chi", b), "dung": f.user("dung", b)}
    bank = f.bank(p, [f.mc(f"Q{i}") for i in (1, 2, 3)])
    category = bank.categories[0]
    exam = f.exam(bank, p, [(category, 3, 1)])
    attempts = {}
    for name, answers in ANSWERS.items():
        attempt = exam_services.start_attempt(exam, people[name])
        for slot in attempt.slots:
            slot.response = {"choice": answers[int(slot.version.name[1]) - 1]}
        db.session.flush()
        exam_services.finish_attempt(attempt, AttemptState.SUBMITTED, actor=people[name])
        attempts[name] = attempt
    db.session.commit()
    return {"exam": exam, "admin": admin, "hr": hr, "people": people, "attempts": attempts, "agencies": (p, a, b),
            "bank": bank}
