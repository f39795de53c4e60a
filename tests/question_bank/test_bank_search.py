"""Search and filters that work for Vietnamese: accents and capitals ignored, by category,
type, status, tag, difficulty and usage count; and the pure content helpers behind them."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from db_types import utcnow
from exam.models import Attempt, AttemptSlot
from extensions import db
from question_bank import content, queries, services
from question_bank.formats import ParsedQuestion
from question_bank.models import Category, QuestionBank, QuestionStatus
from tests import factories as f


def _q(name, text, qtype="multichoice", category=("Luật Đấu thầu",), tags=(), difficulty=None):
    payload = {"truefalse": {"correct": True, "feedback_true": "", "feedback_false": ""},
               "shortanswer": {"case_sensitive": False, "answers": [{"text": "BMT", "fraction": "1", "feedback": ""}]},
               }.get(qtype, f.mc(name).payload)
    return ParsedQuestion(qtype=qtype, name=name, text=text, category=category, payload=payload, tags=tags,
                          difficulty=difficulty)


@pytest.fixture
def bank(app):
    p = f.agency("P", kind="province")
    people = [f.user("editor", p, roles=[("bank_editor", p)]), f.user("a", p), f.user("b", p)]
    bank = QuestionBank(code="LDT", name="Luật Đấu thầu", agency=p)
    db.session.add(bank)
    db.session.flush()
    q1 = services.add_question(bank, _q("Q1", "<p>Luật Đấu thầu số 22/2023/QH15 có hiệu lực khi nào?</p>",
                                        tags=("Đấu thầu",), difficulty="Khó"))
    q2 = services.add_question(bank, _q("Q2", "Hợp đồng trọn gói là gì?", category=("Luật Đấu thầu", "Hợp đồng"),
                                        tags=("Hợp đồng", "đấu thầu"), difficulty="Dễ"))
    services.add_question(bank, _q("Q3", "CÁN BỘ, công chức là công dân Việt Nam?", "truefalse",
                                        category=("Cán bộ, công chức",)), status=QuestionStatus.DRAFT)
    services.add_question(bank, _q("Q4", "Viết tắt của bên mời thầu?", "shortanswer", difficulty="0,4"),
                               status=QuestionStatus.RETIRED)
    # Q1 asked twice in version 1 and once in version 2; Q2 once.
    v1 = q1.current_version
    services.save_version(q1, _q("Q1", "<p>Luật Đấu thầu 2023 có hiệu lực khi nào?</p>", tags=("Đấu thầu",)),
                          people[0])
    exam = f.exam(bank, p, [(q1.category, 1, 1)])
    for user, versions in ((people[1], [v1, q2.current_version]), (people[2], [v1, q1.current_version])):
        db.session.add(Attempt(exam=exam, user_id=user.id, seed=1, deadline=utcnow() + timedelta(hours=1),
                               slots=[AttemptSlot(position=i, version=v, mark=1) for i, v in enumerate(versions, 1)]))
    db.session.commit()
    return bank


def _names(bank, **filters) -> list[str]:
    rows, total = queries.search_questions(bank, **filters)
    assert total == len(rows)
    return [v.name for _q, v, _uses in rows]


def _category(path) -> Category:
    return db.session.scalars(select(Category).where(Category.path == path)).one()


@pytest.mark.parametrize(("filters", "names"), [
    ({"q": "luat dau thau"}, ["Q1"]),
    ({"q": "LUẬT   đấu"}, ["Q1"]),
    ({"q": "hop dong"}, ["Q2"]),
    ({"q": "can bo cong chuc"}, ["Q3"]),
    ({"q": "50%_"}, []),                                   # LIKE wildcards are matched literally
    ({"qtype": "truefalse"}, ["Q3"]),
    ({"status": "draft"}, ["Q1", "Q3"]),                   # Q1's text was edited: back to draft
    ({"status": "retired"}, ["Q4"]),
    ({"tag": "dau thau"}, ["Q1", "Q2"]),
    ({"tag": "HỢP ĐỒNG"}, ["Q2"]),
    ({"difficulty": "hard"}, []),                          # version 2 of Q1 has no level
    ({"difficulty": "easy"}, ["Q2"]),
    ({"difficulty": "none"}, ["Q1", "Q3", "Q4"]),
    ({"uses_min": 1}, ["Q1", "Q2"]),
    ({"uses_min": 2}, ["Q1"]),
    ({"uses_max": 0}, ["Q3", "Q4"]),
    ({"uses_min": 1, "uses_max": 1}, ["Q2"]),
    ({"q": "dau thau", "uses_min": 3, "tag": "đấu thầu"}, ["Q1"]),
])
def test_filters(bank, filters, names):
    assert _names(bank, **filters) == names


def test_category_filter_takes_the_subtree(bank):
    assert _names(bank, category=_category("Luật Đấu thầu")) == ["Q1", "Q2", "Q4"]
    assert _names(bank, category=_category("Luật Đấu thầu / Hợp đồng")) == ["Q2"]
    counts = queries.bank_counts(bank)                  # the totals without a count query
    assert queries.search_questions(bank, category=_category("Luật Đấu thầu"), counts=counts)[1] == 3
    assert queries.search_questions(bank, counts=counts)[1] == 4
    assert queries.status_counts(counts) == {"approved": 1, "draft": 2, "retired": 1}


def test_usage_counts_every_version(bank):
    rows, _total = queries.search_questions(bank)
    assert [(v.name, uses) for _q, v, uses in rows] == [("Q1", 3), ("Q2", 1), ("Q3", 0), ("Q4", 0)]


def test_bank_page_filters_and_paginates(app, bank, monkeypatch):
    client = app.test_client()
    assert client.post("/login", data={"username": "editor", "password": f.PASSWORD}).status_code == 302
    page = client.get(f"/bank/{bank.id}?tag=dau+thau&uses_min=2").get_data(as_text=True)
    assert "Q1</a>" in page and "Q2</a>" not in page
    assert f'<a class="badge" href="/bank/{bank.id}?tag=%C4%90%E1%BA%A5u%20th%E1%BA%A7u">Đấu thầu</a>' in page
    page = client.get(f"/bank/{bank.id}?uses_min=-1").get_data(as_text=True)
    assert 'class="error full"' in page and "Q4</a>" in page           # a bad filter is shown, not applied
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    page = client.get(f"/bank/{bank.id}?page=2").get_data(as_text=True)
    assert "Q3</a>" in page and "Q1</a>" not in page
    assert client.get(f"/bank/{bank.id}?category=999").status_code == 404


@pytest.mark.parametrize(("text", "expected"), [
    ("Khó", ("hard", None)), ("Trung bình", ("medium", None)), ("dễ", ("easy", None)),
    ("Nhận biết", ("easy", None)), ("Vận dụng cao", ("hard", None)), ("medium 0.55", ("medium", 0.55)),
    ("0,7", (None, 0.7)), ("Mức 2", ("medium", 2.0)), ("rất lạ", ("rất lạ", None)), ("", (None, None)),
    (None, (None, None)),
])
def test_difficulty_of(text, expected):
    assert content.difficulty_of(text) == expected


def test_difficulty_round_trips_through_its_text():
    for level, value in (("hard", None), ("medium", 0.55), (None, 0.7), (None, None)):
        assert content.difficulty_of(content.difficulty_text(level, value)) == (level, value)


@pytest.mark.parametrize(("text", "expected"), [
    ("Luật Đấu thầu 2023, Điều 5, khoản 2", ("Luật Đấu thầu 2023", "Điều 5, khoản 2")),
    ("Nghị định 24/2024/NĐ-CP, điểm a khoản 1 Điều 3", ("Nghị định 24/2024/NĐ-CP", "điểm a khoản 1 Điều 3")),
    ("Luật Cán bộ, công chức 2025", ("Luật Cán bộ, công chức 2025", None)),
    ("  ", (None, None)),
])
def test_split_legal(text, expected):
    assert content.split_legal(text) == expected


def test_dedup_key_ignores_accents_case_spacing_and_option_order():
    a = {"answers": [{"id": "a", "text": "Đúng", "fraction": "1"}, {"id": "b", "text": "Sai", "fraction": "0"}]}
    b = {"answers": [{"id": "a", "text": "sai", "fraction": "0"}, {"id": "b", "text": "<b>đúng</b>", "fraction": "1"}]}
    c = {"answers": [{"id": "a", "text": "Đúng", "fraction": "0"}, {"id": "b", "text": "Sai", "fraction": "1"}]}
    key = content.dedup_key("multichoice", "<p>Luật  Đấu thầu?</p>", a)
    assert key == content.dedup_key("multichoice", "luat dau THAU?", b)
    assert key != content.dedup_key("multichoice", "luat dau thau?", c)          # another key
    assert key != content.dedup_key("shortanswer", "luat dau thau?", a)          # another type
    assert len(key) == 40


@pytest.mark.parametrize(("page", "pages", "shown"), [
    (1, 1, [1]), (1, 3, [1, 2, 3]), (1, 1000, [1, 2, 3, None, 1000]), (5, 1000, [1, 2, 3, 4, 5, 6, 7, None, 1000]),
    (500, 1000, [1, None, 498, 499, 500, 501, 502, None, 1000]), (1000, 1000, [1, None, 998, 999, 1000]),
])
def test_pager(page, pages, shown):
    from question_bank.routes import pager

    assert pager(page, pages) == shown
