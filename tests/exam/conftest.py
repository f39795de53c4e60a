"""A small province for the exam tests: a bank of 10 multiple-choice questions (4 hard,
6 easy) plus 2 essays, an open exam of 5 questions worth 2 each, two examinees and an
outsider, an exam admin and two markers."""
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from extensions import db
from question_bank.formats.model import ParsedQuestion
from question_bank.models import Category, QuestionVersion
from tests import factories as f


def essay(name, category=("Tự luận",)) -> ParsedQuestion:
    return ParsedQuestion(qtype="essay", name=name, text=f"<p>{name}?</p>", category=category,
                          payload={"response_format": "plain", "grader_info": "", "response_template": ""})


@pytest.fixture
def world(app):
    root = f.agency("P", kind="province")
    dept = f.agency("D", root, rating_unit=True)
    other = f.agency("O", root)
    questions = [f.mc(f"Q{i}", key=i % 4) for i in range(10)] + [essay("E1"), essay("E2")]
    for q in questions[:4]:
        q.difficulty = "hard"
    for q in questions[4:10]:
        q.difficulty = "easy"
    bank = f.bank(root, questions)
    cat = db.session.scalars(select(Category).where(Category.bank_id == bank.id, Category.name == "Chung")).one()
    essays = db.session.scalars(select(Category).where(Category.bank_id == bank.id, Category.name == "Tự luận")).one()
    exam = f.exam(bank, dept, [(cat, 5, 2)])
    w = SimpleNamespace(
        root=root, dept=dept, bank=bank, cat=cat, essays=essays, exam=exam,
        alice=f.user("alice", dept), bob=f.user("bob", dept), olga=f.user("olga", other),
        admin=f.user("admin", dept, roles=[("exam_admin", dept)]),
        m1=f.user("marker1", dept, roles=[("marker", dept)]), m2=f.user("marker2", dept, roles=[("marker", dept)]),
    )
    db.session.commit()
    return w


def key_of(slot) -> str:
    return next(a["id"] for a in slot.version.payload["answers"] if a["fraction"] == "1")


def wrong_of(slot) -> str:
    return next(a["id"] for a in slot.version.payload["answers"] if a["fraction"] == "0")


def login(app, user):
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": f.PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def versions_by_difficulty(bank) -> dict:
    out = {}
    for v in db.session.scalars(select(QuestionVersion)):
        out.setdefault(v.difficulty, set()).add(v.id)
    return out
