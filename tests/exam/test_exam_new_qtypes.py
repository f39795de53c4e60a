"""An exam attempt with a matching, an ordering and a cloze question, end to end: the
examinee's page shows each type, the answers are saved through the JSON autosave, and the
submitted attempt is graded to values worked by hand (with the partial credit each type
defines).  Then a key correction of the cloze question is regraded, once it is approved."""
import re
from fractions import Fraction

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from exam import marking
from exam.models import Attempt
from exam.services import ExamError
from extensions import db
from question_bank import services as bank_services
from question_bank.formats.model import ParsedQuestion
from question_bank.models import Category, Question, QuestionStatus
from tests import factories as f

PAIRS = [("Bộ Tài chính", "ngân sách"), ("Bộ Nội vụ", "công chức"), ("Bộ Tư pháp", "hộ tịch")]
STEPS = ["Lập kế hoạch", "Chuẩn bị", "Tổ chức", "Đánh giá"]
CLOZE = ("Thủ đô là {1:MULTICHOICE:=Hà Nội~Huế}; cơ quan quản lý ngân sách là {2:SHORTANSWER:=Bộ Tài chính~"
         "%50%BTC}; Luật Đấu thầu số 22 ban hành năm {1:NUMERICAL:=2023:0}.")


@pytest.fixture
def sitting(app):
    root = f.agency("P", kind="province")
    dept = f.agency("D", root)
    bank = f.bank(root, [
        f.matching("Nối cơ quan", PAIRS, distractors=["quốc phòng"], category=("Nối",)),
        f.ordering("Sắp xếp các bước", STEPS, grading="absolute_position", category=("Sắp xếp",)),
        f.cloze("Điền", CLOZE, category=("Điền",)),
    ])
    cats = {c.name: c for c in db.session.scalars(select(Category).where(Category.bank_id == bank.id))}
    exam = f.exam(bank, dept, [(cats["Nối"], 1, 2), (cats["Sắp xếp"], 1, 1), (cats["Điền"], 1, 3)])
    student = f.user("thisinh", dept)
    reviewer = f.user("reviewer", root, roles=[("reviewer", root)])
    db.session.commit()
    return {"exam": exam, "student": student, "reviewer": reviewer, "bank": bank}


def _login(app, username):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": f.PASSWORD}).status_code == 302
    return client


def test_an_attempt_with_matching_ordering_and_cloze_is_graded_exactly(app, sitting):
    client = _login(app, "thisinh")
    exam = sitting["exam"]
    assert client.post(f"/exam/{exam.id}/start").status_code == 302
    attempt = db.session.scalars(select(Attempt)).one()
    page = client.get(f"/exam/attempt/{attempt.id}").get_data(as_text=True)
    db.session.refresh(attempt)
    slots = {s.version.qtype: s for s in attempt.slots}
    m, o, c = (slots[t] for t in ("matching", "ordering", "cloze"))

    # The page: a drop-down of every answer (the extra one too) per item; the items to order
    # in the slot's shuffled order; one field per gap.
    options = re.findall(r'<option value="([^"]*)"', page[page.index(f'id="q{m.position}-s1"'):])[:5]
    assert sorted(options[1:]) == sorted(["ngân sách", "công chức", "hộ tịch", "quốc phòng"])
    assert sorted(o.choice_order) == ["1", "2", "3", "4"]
    shown = re.findall(rf'<li data-id="(\d)">\s*<span class="itext" id="q{o.position}-i', page)
    assert shown == o.choice_order
    assert re.findall(rf'id="q{c.position}-p(\d)"', page) == ["1", "2", "3"]

    # Matching: 2 of 3 pairs right.  Ordering (a share per item in its place): 1 2 3 4 → the
    # answer 2 1 3 4 has items 3 and 4 in place, 2 of 4.  Cloze (weights 1, 2, 1): the choice
    # right (1), "btc" earns the 50 % answer (case does not matter), 2022 is wrong (0):
    # (1×1 + 2×1/2 + 1×0) / 4 = 1/2.
    answers = {m.position: {"pairs": {"1": "ngân sách", "2": "công chức", "3": "quốc phòng"}},
               o.position: {"order": ["2", "1", "3", "4"]},
               c.position: {"parts": {"1": {"choice": "a"}, "2": {"text": " btc "}, "3": {"text": "2022"}}}}
    url = f"/exam/attempt/{attempt.id}/save"
    for seq, (position, response) in enumerate(sorted(answers.items()), start=1):
        saved = client.post(url, json={"token": attempt.session_token, "position": position, "seq": seq,
                                       "response": response})
        assert saved.status_code == 200 and saved.json["status"] == "saved"
    assert client.post(f"/exam/attempt/{attempt.id}/submit").status_code == 302
    db.session.refresh(attempt)
    assert [(s.version.qtype, s.grade_state, s.fraction) for s in sorted(attempt.slots, key=lambda s: s.mark)] == [
        ("ordering", "partial", Fraction(1, 2)), ("matching", "partial", Fraction(2, 3)),
        ("cloze", "partial", Fraction(1, 2))]
    # 2 × 2/3 + 1 × 1/2 + 3 × 1/2 = 10/3 of 6, i.e. 5/9 ≥ 1/2: passed.
    assert (attempt.score, attempt.max_score, attempt.passed) == (Fraction(10, 3), Fraction(6), True)
    assert client.get(f"/exam/attempt/{attempt.id}/result").status_code == 200


def test_a_full_and_an_empty_answer(app, sitting):
    """All right: 6 of 6.  Nothing answered: every slot unanswered, 0 of 6."""
    from exam import services

    attempt = services.start_attempt(sitting["exam"], sitting["student"])
    db.session.commit()
    slots = {s.version.qtype: s for s in attempt.slots}
    responses = {"matching": {"pairs": {str(i): a for i, (_t, a) in enumerate(PAIRS, start=1)}},
                 "ordering": {"order": ["1", "2", "3", "4"]},
                 "cloze": {"parts": {"1": {"choice": "a"}, "2": {"text": "bộ tài chính"}, "3": {"text": "2023,0"}}}}
    for seq, (qtype, response) in enumerate(responses.items(), start=1):
        assert services.save_answer(attempt, attempt.session_token, slots[qtype].position, seq,
                                    response).status == "saved"
    services.finish_attempt(attempt)
    assert (attempt.score, attempt.max_score) == (Fraction(6), Fraction(6))
    assert {s.grade_state for s in attempt.slots} == {"correct"}

    other = f.user("khac", sitting["exam"].audience[0].agency)
    empty = services.start_attempt(sitting["exam"], other)
    services.finish_attempt(empty)
    assert (empty.score, empty.max_score, empty.passed) == (Fraction(0), Fraction(6), False)
    assert {s.grade_state for s in empty.slots} == {"unanswered"}


def test_a_regrade_applies_only_an_approved_version(app, sitting):
    """The cloze key is corrected (2022 accepted too); the regrade is refused while the new
    version is a draft, and applied once another person approved it."""
    from exam import services

    attempt = services.start_attempt(sitting["exam"], sitting["student"])
    db.session.commit()
    cloze_slot = next(s for s in attempt.slots if s.version.qtype == "cloze")
    services.save_answer(attempt, attempt.session_token, cloze_slot.position, 1,
                         {"parts": {"1": {"choice": "a"}, "2": {"text": "Bộ Tài chính"}, "3": {"text": "2022"}}})
    services.finish_attempt(attempt)
    assert attempt.score == Fraction(9, 4)                   # 3 × (1 + 2) / 4
    question = db.session.get(Question, cloze_slot.version.question_id)
    admin = f.user("admin", sitting["exam"].agency, roles=[("exam_admin", sitting["exam"].agency)])
    corrected = f.cloze("Điền", CLOZE.replace("{1:NUMERICAL:=2023:0}", "{1:NUMERICAL:=2023:1}"))
    bank_services.save_version(question, corrected, admin)
    assert question.status == QuestionStatus.DRAFT

    with force_locale("en"), pytest.raises(ExamError, match="Version 2 of question .* is not approved .it is Draft."):
        marking.preview_regrade(sitting["exam"], question, "key", "năm ban hành", admin)
    job = marking.preview_regrade(sitting["exam"], question, "exclude", "năm ban hành", admin)
    assert job.preview[0]["score_after"] == "0"               # an exclusion needs no approved version

    question.status = QuestionStatus.IN_REVIEW
    bank_services.transition(question, "approve", sitting["reviewer"])
    key_job = marking.preview_regrade(sitting["exam"], question, "key", "năm ban hành", admin)
    assert key_job.preview[0]["score_after"] == "3"
    question.status = QuestionStatus.RETIRED                 # retired between preview and apply
    with force_locale("en"), pytest.raises(ExamError, match="is not approved .it is Retired."):
        marking.apply_regrade(key_job, admin)
    assert key_job.state == "preview" and attempt.score == Fraction(9, 4)
    question.status = QuestionStatus.APPROVED
    assert marking.apply_regrade(key_job, admin) == 1
    assert attempt.score == Fraction(3)


def test_a_draft_question_is_never_drawn(app):
    root = f.agency("P", kind="province")
    bank = f.bank(root, [f.mc("Q1", key=0), f.mc("Q2", key=1)], status=QuestionStatus.DRAFT)
    question = f.question(bank, ParsedQuestion(qtype="truefalse", name="T", text="Đúng?", category=("Chung",),
                                               payload={"correct": True}))
    assert {q.status for q in db.session.scalars(select(Question))} == {QuestionStatus.DRAFT, QuestionStatus.APPROVED}
    assert question.status == QuestionStatus.APPROVED
    from question_bank.queries import approved_versions

    category = db.session.scalars(select(Category)).one()
    assert [v.question_id for v in approved_versions(category)] == [question.id]


def test_a_hand_made_response_of_the_wrong_shape_earns_nothing_and_never_blocks_grading(app, sitting):
    """The save stores any small JSON object (the fast path does not load the question):
    an ordering with a repeated item, pairs that are a list, a cloze gap that is not an
    object.  Grading reads them as unanswered — 0 — and the attempt still closes; a good
    answer beside them keeps its marks (matching right: 2 of 6)."""
    from exam import services

    attempt = services.start_attempt(sitting["exam"], sitting["student"])
    db.session.commit()
    slots = {s.version.qtype: s for s in attempt.slots}
    responses = {"matching": {"pairs": {str(i): a for i, (_t, a) in enumerate(PAIRS, start=1)}},
                 "ordering": {"order": ["1", "1", "1", "1"]},
                 "cloze": {"parts": ["Hà Nội"]}}
    for seq, (qtype, response) in enumerate(responses.items(), start=1):
        assert services.save_answer(attempt, attempt.session_token, slots[qtype].position, seq,
                                    response).status == "saved"
    services.finish_attempt(attempt)
    grades = {s.version.qtype: (s.grade_state, s.fraction) for s in attempt.slots}
    assert grades["matching"] == ("correct", Fraction(1))
    assert grades["ordering"][1] == 0 and grades["cloze"][1] == 0
    assert (attempt.score, attempt.max_score, attempt.passed) == (Fraction(2), Fraction(6), False)
